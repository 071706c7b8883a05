/**
 * OVH installation templates (`GET /dedicated/installationTemplate[/{name}]`). OVH's baremetal
 * OpenAPI file does not describe these routes, so the shape follows what the live API answers
 * (`dedicated.installationTemplate.Templates`), trimmed to the fields a console uses.
 */

export interface TemplateInput {
  name: string;
  type: 'string' | 'enum' | 'text' | 'keyValue';
  mandatory: boolean;
  description: string;
  enum: string[] | null;
}

export interface InstallationTemplate {
  templateName: string;
  description: string;
  distribution: string;
  family: 'linux' | 'windows' | 'bsd';
  category: 'BASIC' | 'CUSTOMER' | 'READY_TO_USE';
  bitFormat: 64;
  lastModification: string;
  noPartitioning: boolean;
  softRaidOnlyMirroring: boolean;
  /** Customizations the template accepts (the BYOI fields for `byoi_64`). */
  inputs: TemplateInput[];
}

/** The BYOI template, in OVH's `CUSTOMER` ("Custom") category. */
export const BYOI_TEMPLATE = 'byoi_64';

const input = (
  name: string,
  description: string,
  mandatory = false,
  type: TemplateInput['type'] = 'string',
  values: string[] | null = null,
): TemplateInput => ({ name, type, mandatory, description, enum: values });

const BYOI_INPUTS: TemplateInput[] = [
  input('imageURL', 'Image URL', true),
  input('imageType', 'Image type', true, 'enum', ['qcow2', 'raw']),
  input('imageCheckSum', 'Image checksum'),
  input('imageCheckSumType', 'Checksum type', false, 'enum', ['md5', 'sha1', 'sha256', 'sha512']),
  input('httpHeaders', 'Image HTTP headers', false, 'keyValue'),
  input('configDriveUserData', 'Config Drive user data', false, 'text'),
  input('configDriveMetadata', 'Config Drive metadata', false, 'keyValue'),
  input('efiBootloaderPath', 'Path of the EFI bootloader from the OS installed on the server'),
  input('hostname', 'Custom hostname'),
  input('sshKey', 'SSH public key'),
];

const ORDINARY_INPUTS: TemplateInput[] = [
  input('hostname', 'Custom hostname'),
  input('sshKey', 'SSH public key'),
  input('postInstallationScript', 'Post-installation script', false, 'text'),
];

const ordinary = (
  templateName: string,
  description: string,
  distribution: string,
  family: InstallationTemplate['family'],
  category: InstallationTemplate['category'] = 'BASIC',
): InstallationTemplate => ({
  templateName,
  description,
  distribution,
  family,
  category,
  bitFormat: 64,
  lastModification: '2025-09-15T09:12:44+02:00',
  noPartitioning: false,
  softRaidOnlyMirroring: false,
  inputs: ORDINARY_INPUTS,
});

export const TEMPLATES: readonly InstallationTemplate[] = [
  {
    templateName: BYOI_TEMPLATE,
    description: 'Bring Your Own Image - byoi',
    distribution: 'byoi',
    family: 'linux',
    category: 'CUSTOMER',
    bitFormat: 64,
    lastModification: '2024-02-02T10:00:00+01:00',
    noPartitioning: true,
    softRaidOnlyMirroring: false,
    inputs: BYOI_INPUTS,
  },
  ordinary('debian12_64', 'Debian 12 (Bookworm)', 'debian12', 'linux'),
  ordinary('ubuntu2404-server_64', 'Ubuntu Server 24.04 LTS', 'ubuntu2404-server', 'linux'),
  ordinary('rocky9_64', 'Rocky Linux 9', 'rocky9', 'linux'),
  ordinary('freebsd14-zfs_64', 'FreeBSD 14 ZFS', 'freebsd14', 'bsd'),
  ordinary('win2022-std_64', 'Windows Server 2022 Standard', 'win2022-std', 'windows'),
  ordinary('proxmox8_64', 'Proxmox VE 8', 'proxmox8', 'linux', 'READY_TO_USE'),
];

export function findTemplate(name: string): InstallationTemplate | undefined {
  return TEMPLATES.find((template) => template.templateName === name);
}
