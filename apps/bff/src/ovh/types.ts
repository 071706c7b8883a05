/**
 * The OVH objects this app reads, named after their schemas in
 * shared/ovh-api/baremetal.openapi.json. Only the fields used here.
 */
import type { InstallStepStatus, TaskStatus } from '@byoi/shared';

/** `complexType.UnitAndValue_long`. */
export interface UnitAndValue {
  unit: string;
  value: number;
}

/** `dedicated.server.Dedicated`. */
export interface DedicatedServer {
  name: string;
  datacenter: string;
  state: string;
  os: string;
  ip: string | null;
  commercialRange: string | null;
  reverse: string | null;
  rack: string | null;
  powerState: string | null;
  supportLevel: string | null;
  serverId: number;
  /** The EFI bootloader OVH's iPXE boots (`\efi\debian\grubx64.efi`); editable with PUT. */
  efiBootloaderPath?: string | null;
  /** Newer responses carry a customer-set name; absent on older accounts. */
  displayName?: string | null;
  iam?: { displayName?: string | null } | null;
}

/** `dedicated.server.HardwareSpecificationsDisk`. */
export interface HardwareSpecificationsDisk {
  diskGroupId: number | null;
  description: string | null;
  diskType: string | null;
  numberOfDisks: number | null;
  diskSize: UnitAndValue | null;
  raidController: string | null;
}

/** `dedicated.server.HardwareSpecifications`. */
export interface HardwareSpecifications {
  bootMode: 'legacy' | 'uefi' | 'uefi-legacy';
  description: string | null;
  diskGroups: HardwareSpecificationsDisk[] | null;
  memorySize: UnitAndValue | null;
  processorName: string | null;
}

/** `dedicated.server.InstallTemplate`. */
export interface InstallTemplate {
  ovh: string[] | null;
  personal: string[] | null;
}

/** `dedicated.installationTemplate.Templates` (GET /dedicated/installationTemplate/{templateName}). */
export interface InstallationTemplate {
  templateName: string;
  description: string | null;
  category: string | null;
  family: string | null;
  distribution: string | null;
}

/** `dedicated.server.Task`. */
export interface ServerTask {
  taskId: number;
  function: string;
  status: TaskStatus;
  comment: string | null;
  startDate: string;
  doneDate: string | null;
  lastUpdate: string | null;
}

/** `dedicated.server.InstallationProgressSteps`. */
export interface InstallationProgressSteps {
  comment: string;
  status: InstallStepStatus;
  error: string | null;
}

/** `dedicated.server.InstallationProgressStatus`. */
export interface InstallationProgressStatus {
  elapsedTime: number;
  progress: InstallationProgressSteps[] | null;
}
