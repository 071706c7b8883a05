/** Step comments as `install/status` shows them, and their duration at clock speed 1 (ms). */
export interface StepDefinition {
  id: StepId;
  comment: string;
  durationMs: number;
}

export type StepId =
  | 'prepare'
  | 'download'
  | 'checksum'
  | 'format'
  | 'write'
  | 'configDrive'
  | 'reboot'
  | 'partition'
  | 'installOs';

export const BYOI_STEPS: readonly StepDefinition[] = [
  { id: 'prepare', comment: 'Preparing installation', durationMs: 5_000 },
  { id: 'download', comment: 'Downloading image', durationMs: 10_000 },
  { id: 'checksum', comment: 'Checking image checksum', durationMs: 3_000 },
  { id: 'format', comment: 'Checking image format', durationMs: 3_000 },
  { id: 'write', comment: 'Writing image to disk', durationMs: 30_000 },
  { id: 'configDrive', comment: 'Creating config drive', durationMs: 5_000 },
  { id: 'reboot', comment: 'Rebooting on installed OS', durationMs: 15_000 },
];

export const TEMPLATE_STEPS: readonly StepDefinition[] = [
  { id: 'prepare', comment: 'Preparing installation', durationMs: 5_000 },
  { id: 'partition', comment: 'Partitioning disks', durationMs: 10_000 },
  { id: 'installOs', comment: 'Installing operating system', durationMs: 60_000 },
  { id: 'reboot', comment: 'Rebooting on installed OS', durationMs: 15_000 },
];
