/**
 * OVH's BYOI installer as one model: its decisions, in its order, each a pure function from facts
 * to an outcome. The simulator applies them to the bytes it downloads; the preflight applies them
 * to the bytes it probes (and adds its own reachability checks). Neither writes a rule of its own,
 * so a prediction and the simulator's failure cannot drift apart.
 *
 * An outcome is `pass`, `fail` with OVH's exact message (and the catalog code that explains it),
 * or `unknown` when the facts given cannot decide (the preflight has not downloaded everything).
 */
import { CHECKSUM_TYPES, IMAGE_TYPES } from '../form.ts';
import { UPSTREAM_MESSAGES } from '../catalog.ts';
import type { ImageSniff } from '../image/sniff.ts';
import { detectedFormatWord, isRecognisedNonDiskFormat } from '../image/sniff.ts';
import { checkCloudConfig, decodeUserData, detectUserDataKind } from '../userData.ts';
import { downloadErrorText, type DownloadFailure } from './downloadFailure.ts';
import type { TargetDisk } from './hardware.ts';

/** The installer's steps, in the order it takes them: submit checks first (no task), then the install. */
export const INSTALLER_STEPS = [
  'checksumPair',
  'types',
  'download',
  'downloadSize',
  'checksum',
  'format',
  'diskSize',
  'write',
  'configDrive',
] as const;
export type InstallerStep = (typeof INSTALLER_STEPS)[number];

export interface StepFailure {
  status: 'fail';
  step: InstallerStep;
  code: InstallerFailureCode;
  /** OVH's message, verbatim. */
  message: string;
}

export type StepOutcome = { status: 'pass' } | { status: 'unknown' } | StepFailure;

/** Catalog codes (packages/shared/src/catalog.ts) of the failures the installer decides. */
export type InstallerFailureCode =
  | 'CHECKSUM_PAIR'
  | 'CHECKSUM_TYPE'
  | 'BAD_FORMAT'
  | 'DOWNLOAD_FAILED'
  | 'IMAGE_TOO_BIG_FOR_RAM'
  | 'CHECKSUM_MISMATCH'
  | 'NOT_QCOW2'
  | 'RAW_NO_PARTITION_TABLE'
  | 'IMAGE_LARGER_THAN_DISK'
  | 'WRITE_FAILED'
  | 'GPT_RELOCATION_FAILED'
  | 'CONFIGDRIVE_FAILED';

const PASS: StepOutcome = { status: 'pass' };
const UNKNOWN: StepOutcome = { status: 'unknown' };
const fail = (step: InstallerStep, code: InstallerFailureCode, message: string): StepFailure => ({
  status: 'fail',
  step,
  code,
  message,
});

const given = (value: string | undefined): value is string =>
  value !== undefined && value.trim() !== '';

// ---- at submit (HTTP 400, no task) ----

/** Step 1: the checksum and its type come together, or not at all. */
export function checksumPairStep(facts: { checksum?: string; checksumType?: string }): StepOutcome {
  return given(facts.checksum) === given(facts.checksumType)
    ? PASS
    : fail('checksumPair', 'CHECKSUM_PAIR', UPSTREAM_MESSAGES.checksumPair());
}

/** Step 2: the checksum type and the image type are ones OVH knows. */
export function typesStep(facts: { checksumType?: string; imageType: string }): StepOutcome {
  if (
    given(facts.checksumType) &&
    !(CHECKSUM_TYPES as readonly string[]).includes(facts.checksumType)
  ) {
    return fail('types', 'CHECKSUM_TYPE', UPSTREAM_MESSAGES.checksumType());
  }
  if (!(IMAGE_TYPES as readonly string[]).includes(facts.imageType)) {
    return fail('types', 'BAD_FORMAT', UPSTREAM_MESSAGES.badFormat());
  }
  return PASS;
}

// ---- the install ----

/** Step 3: the download answered with the image (null: it did). */
export function downloadStep(facts: { failure: DownloadFailure | null }): StepOutcome {
  return facts.failure === null
    ? PASS
    : fail(
        'download',
        'DOWNLOAD_FAILED',
        UPSTREAM_MESSAGES.downloadFailed(downloadErrorText(facts.failure)),
      );
}

/**
 * Step 4: the image fits in RAM − 3 GiB. `bytes` is the size announced by `Content-Length`, or the
 * bytes counted while streaming (the downloader stops one byte past the limit); null when unknown.
 */
export function downloadSizeStep(facts: {
  bytes: number | null;
  limitBytes: number;
  imageType: string;
}): StepOutcome {
  if (facts.bytes === null) return UNKNOWN;
  return facts.bytes > facts.limitBytes
    ? fail(
        'downloadSize',
        'IMAGE_TOO_BIG_FOR_RAM',
        UPSTREAM_MESSAGES.imageTooBigForRam(facts.imageType),
      )
    : PASS;
}

/** Step 5: the downloaded bytes have the checksum given (nothing to compare without one). */
export function checksumStep(facts: {
  checksum?: string;
  checksumType?: string;
  /** The digest of the downloaded bytes in `checksumType`; null when not computed. */
  actual: string | null;
}): StepOutcome {
  if (!given(facts.checksum) || !given(facts.checksumType)) return PASS;
  if (facts.actual === null) return UNKNOWN;
  const expected = facts.checksum.trim().toLowerCase();
  return facts.actual === expected
    ? PASS
    : fail(
        'checksum',
        'CHECKSUM_MISMATCH',
        UPSTREAM_MESSAGES.checksumMismatch(facts.checksumType, facts.actual, expected),
      );
}

/** Step 6: the bytes are a disk image of the declared type. */
export function formatStep(facts: { sniff: ImageSniff; imageType: string }): StepOutcome {
  const { sniff } = facts;
  if (isRecognisedNonDiskFormat(sniff))
    return fail('format', 'BAD_FORMAT', UPSTREAM_MESSAGES.badFormat());
  if (facts.imageType === 'qcow2' && sniff.kind !== 'qcow2') {
    return fail('format', 'NOT_QCOW2', UPSTREAM_MESSAGES.notQcow2(detectedFormatWord(sniff)));
  }
  if (facts.imageType === 'raw' && sniff.kind !== 'raw-gpt' && sniff.kind !== 'raw-mbr') {
    return fail(
      'format',
      'RAW_NO_PARTITION_TABLE',
      UPSTREAM_MESSAGES.rawNoPartitionTable(sniff.description),
    );
  }
  return PASS;
}

/** What the image takes on disk: a qcow2's virtual size, a raw image's own size. */
export function sizeOnDisk(sniff: ImageSniff, imageBytes: number | null): number | null {
  return sniff.kind === 'qcow2' && sniff.qcow2 ? sniff.qcow2.virtualSize : imageBytes;
}

/** Step 7: the image fits on the target disk. */
export function diskSizeStep(facts: {
  sniff: ImageSniff;
  /** The image file's size; null when unknown. */
  imageBytes: number | null;
  disk: TargetDisk;
}): StepOutcome {
  const size = sizeOnDisk(facts.sniff, facts.imageBytes);
  if (size === null) return UNKNOWN;
  return size > facts.disk.bytes
    ? fail(
        'diskSize',
        'IMAGE_LARGER_THAN_DISK',
        UPSTREAM_MESSAGES.imageLargerThanDisk(size, facts.disk.device, facts.disk.bytes),
      )
    : PASS;
}

/** Why `qemu-img convert` would refuse a qcow2, in words; empty when it would not. */
export function qcow2WriteProblems(sniff: ImageSniff): string[] {
  if (sniff.kind !== 'qcow2') return [];
  const q = sniff.qcow2;
  if (!q) return ['its header cannot be read'];
  return [
    ...(q.backingFile !== null ? [`it depends on a backing file (${q.backingFile})`] : []),
    ...(q.encrypted ? ['it is encrypted'] : []),
    ...q.problems,
  ];
}

/** Step 8: what `qemu-img convert` and `sgdisk -e` refuse while writing. */
export function writeStep(facts: { sniff: ImageSniff }): StepOutcome {
  const { sniff } = facts;
  if (qcow2WriteProblems(sniff).length > 0) {
    return fail('write', 'WRITE_FAILED', UPSTREAM_MESSAGES.writeFailed('qcow2'));
  }
  if (sniff.kind === 'raw-gpt' && sniff.partitions?.gptHeaderCrcValid === false) {
    return fail('write', 'GPT_RELOCATION_FAILED', UPSTREAM_MESSAGES.gptRelocationFailed());
  }
  return PASS;
}

/**
 * Step 9: cloud-init's config drive needs `#cloud-config` YAML (a mapping) or a `#!` script; the
 * user data may arrive plain or base64-encoded. No user data, nothing to refuse.
 */
export function configDriveStep(facts: { userData?: string }): StepOutcome {
  if (facts.userData === undefined) return PASS;
  const text = decodeUserData(facts.userData);
  switch (detectUserDataKind(text)) {
    case 'empty':
    case 'script':
      return PASS;
    case 'cloud-config':
      return checkCloudConfig(text).ok
        ? PASS
        : fail('configDrive', 'CONFIGDRIVE_FAILED', UPSTREAM_MESSAGES.configdriveFailed());
    default:
      return fail('configDrive', 'CONFIGDRIVE_FAILED', UPSTREAM_MESSAGES.configdriveFailed());
  }
}

/** Of several failures, the one OVH's installer meets first: the earliest step. */
export function firstFailure<T extends { step: InstallerStep }>(
  failures: readonly T[],
): T | undefined {
  let best: T | undefined;
  for (const failure of failures) {
    if (!best || INSTALLER_STEPS.indexOf(failure.step) < INSTALLER_STEPS.indexOf(best.step)) {
      best = failure;
    }
  }
  return best;
}
