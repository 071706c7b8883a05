/**
 * The OVH request a form must produce, written out by hand from DESIGN.md ("Upstream routes") and
 * OVH's OpenAPI description, independently of the shared payload builders the BFF uses.
 */
import type { FormValues } from './wizard.ts';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

export function expectedInstallStart(values: FormValues): unknown {
  const userMetadata: { key: string; value: string }[] = [
    { key: 'imageURL', value: values.imageURL },
    { key: 'imageType', value: values.imageType },
  ];
  (values.httpHeaders ?? []).forEach((header, i) => {
    userMetadata.push({ key: `httpHeaders${i}Key`, value: header.name });
    userMetadata.push({ key: `httpHeaders${i}Value`, value: header.value });
  });
  if (values.imageCheckSum) {
    userMetadata.push({ key: 'imageCheckSum', value: values.imageCheckSum.toLowerCase() });
    userMetadata.push({ key: 'imageCheckSumType', value: values.imageCheckSumType ?? '' });
  }
  if (values.configDriveUserData) {
    userMetadata.push({ key: 'configDriveUserData', value: base64(values.configDriveUserData) });
  }
  (values.configDriveMetadata ?? []).forEach((entry, i) => {
    userMetadata.push({ key: `configDriveMetadata${i}Key`, value: entry.key });
    userMetadata.push({ key: `configDriveMetadata${i}Value`, value: entry.value });
  });
  if (values.sshKey) userMetadata.push({ key: 'sshKey', value: values.sshKey });
  if (values.efiBootloaderPath) {
    userMetadata.push({ key: 'efiBootloaderPath', value: values.efiBootloaderPath });
  }
  return {
    ...(values.customHostname ? { details: { customHostname: values.customHostname } } : {}),
    templateName: 'byoi_64',
    userMetadata,
  };
}

export function expectedReinstall(values: FormValues): unknown {
  const customizations: Record<string, unknown> = {
    imageURL: values.imageURL,
    imageType: values.imageType,
  };
  if (values.imageCheckSum) {
    customizations.imageCheckSum = values.imageCheckSum.toLowerCase();
    customizations.imageCheckSumType = values.imageCheckSumType;
  }
  if (values.httpHeaders?.length) {
    customizations.httpHeaders = Object.fromEntries(
      values.httpHeaders.map((h) => [h.name, h.value]),
    );
  }
  if (values.configDriveUserData) {
    customizations.configDriveUserData = base64(values.configDriveUserData);
  }
  if (values.configDriveMetadata?.length) {
    // OVH reads metadata here and writes it under `meta` in the config drive's meta_data.json.
    customizations.configDriveMetadata = Object.fromEntries(
      values.configDriveMetadata.map((m) => [m.key, m.value]),
    );
  }
  if (values.customHostname) customizations.hostname = values.customHostname;
  if (values.sshKey) customizations.sshKey = values.sshKey;
  if (values.efiBootloaderPath) customizations.efiBootloaderPath = values.efiBootloaderPath;
  return { operatingSystem: 'byoi_64', customizations };
}

export function expectedPayload(route: string, values: FormValues): unknown {
  return route === 'reinstall' ? expectedReinstall(values) : expectedInstallStart(values);
}
