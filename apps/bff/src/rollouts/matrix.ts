/**
 * The rollout's preflight matrix: the image probed once, every selected server judged against
 * what that probe learnt. Servers with the same relevant hardware share one profile and one
 * verdict. Pure: the probe is the caller's, and every rule is a step of packages/shared's
 * installer model or a check of the single-server preflight, so a fleet and a server page never
 * disagree about the same image on the same hardware.
 */
import {
  diskSizeStep,
  downloadSizeStep,
  formatDiskGroup,
  formatExactBytes,
  formatMemory,
  formatStep,
  sizeOnDisk,
  targetDisk,
  type HardwareDto,
  type ImageSniff,
  type ImageType,
  type PreflightCheck,
  type StepOutcome,
} from '@byoi/shared';
import { bootModeCheck, efiBootloaderCheck, type ImageDisk } from '../preflight/bootChecks.ts';
import type { PreflightServer } from '../preflight/runPreflight.ts';
import type { PreflightVerdict } from './scheduler.ts';

/** The image as one probe found it: failed on its own, or read far enough to judge servers. */
export type ProbedImage =
  | {
      status: 'failed';
      /** The first check that fails whatever the server (checksum file, reachability, checksum, format). */
      check: PreflightCheck;
    }
  | {
      status: 'read';
      imageType: ImageType;
      /** The size the host announced; null when it hides it. */
      bytes: number | null;
      sniff: ImageSniff;
      /** The image's disk as the boot checks read it. */
      disk: ImageDisk;
      /** The path OVH would boot a UEFI server with, as the request gave it. */
      efiBootloaderPath?: string;
    };

export interface FleetProfile {
  /** Identical for servers whose hardware the rules cannot tell apart. */
  key: string;
  /** E.g. `64 GiB RAM · 2 × 960 GB NVMe · UEFI`. */
  label: string;
  servers: string[];
  verdict: 'ok' | 'blocked';
  /** Why the profile is blocked, as sentences for the operator; empty when it is ok. */
  reasons: string[];
}

export interface FleetMatrix {
  profiles: FleetProfile[];
  /** One per server, in the order given: what the scheduler's `preflightDone` takes. */
  verdicts: PreflightVerdict[];
}

const memory = (n: number) => formatExactBytes(n, 'memory');
const disk = (n: number) => formatExactBytes(n, 'disk');

function withMessage(sentence: string, outcome: StepOutcome): string {
  return outcome.status === 'fail'
    ? `${sentence} OVH would answer: "${outcome.message}"`
    : sentence;
}

/**
 * How one server's hardware is judged. An image that fails on its own (its probe, or a format the
 * installer refuses whatever the server) blocks every server with that one reason.
 */
function judgeOf(image: ProbedImage): (hardware: HardwareDto) => string[] {
  if (image.status === 'failed') {
    const { check } = image;
    const predicted = check.predictedMessage
      ? ` OVH would answer: "${check.predictedMessage}"`
      : '';
    const reason = `The image fails its check "${check.title}": ${check.sentence}${predicted}`;
    return () => [reason];
  }
  const format = formatStep({ sniff: image.sniff, imageType: image.imageType });
  if (format.status === 'fail') {
    const reason = withMessage(
      `The file is ${image.sniff.description}, not a ${image.imageType} disk image.`,
      format,
    );
    return () => [reason];
  }
  return (hardware) => serverReasons(image, hardware);
}

/** Everything the rules read from a server's hardware, and everything its label shows. */
function profileOf(hardware: HardwareDto): { key: string; label: string } {
  const group = hardware.diskGroups[0];
  const boot = hardware.bootMode === 'uefi' ? 'UEFI' : 'legacy BIOS';
  const disks = group ? formatDiskGroup(group) : 'no disk';
  const key = [
    hardware.memoryBytes,
    hardware.imageLimitBytes,
    group ? `${group.numberOfDisks}x${group.diskSizeBytes}:${group.diskType}` : 'none',
    hardware.bootMode,
  ].join('|');
  return { key, label: `${formatMemory(hardware.memoryBytes)} RAM · ${disks} · ${boot}` };
}

function serverReasons(image: Extract<ProbedImage, { status: 'read' }>, hw: HardwareDto): string[] {
  const reasons: string[] = [];
  const ram = downloadSizeStep({
    bytes: image.bytes,
    limitBytes: hw.imageLimitBytes,
    imageType: image.imageType,
  });
  if (ram.status === 'fail' && image.bytes !== null) {
    reasons.push(
      withMessage(
        `The image is ${memory(image.bytes)}; these servers can download at most ${memory(hw.imageLimitBytes)} (their RAM minus 3 GiB).`,
        ram,
      ),
    );
  }
  const target = targetDisk(hw.diskGroups);
  const tooBig = diskSizeStep({ sniff: image.sniff, imageBytes: image.bytes, disk: target });
  const onDisk = sizeOnDisk(image.sniff, image.bytes);
  if (tooBig.status === 'fail' && onDisk !== null) {
    const where =
      hw.diskGroups.length === 0
        ? 'the hardware lists no disk to write it to'
        : `more than the ${disk(target.bytes)} of ${target.device}`;
    reasons.push(withMessage(`The image takes ${memory(onDisk)} on disk: ${where}.`, tooBig));
  }
  // A boot mode the image cannot boot in is only a warning for one server; a rollout has no one
  // watching each server come back, so it leaves such servers out.
  const boot = bootModeCheck(hw, image.sniff, image.disk);
  if (boot.status === 'warn' || boot.status === 'fail') reasons.push(boot.sentence);
  // Only a failure blocks: a bootloader that could not be looked for is no proof it is missing.
  const efi = efiBootloaderCheck(image.efiBootloaderPath, hw, image.disk);
  if (efi.status === 'fail') reasons.push(efi.sentence);
  return reasons;
}

export function judgeFleet(image: ProbedImage, servers: readonly PreflightServer[]): FleetMatrix {
  const judge = judgeOf(image);
  const profiles = new Map<string, FleetProfile>();
  const verdicts: PreflightVerdict[] = [];
  for (const { name, hardware } of servers) {
    const { key, label } = profileOf(hardware);
    let profile = profiles.get(key);
    if (!profile) {
      const reasons = judge(hardware);
      profile = { key, label, servers: [], verdict: reasons.length ? 'blocked' : 'ok', reasons };
      profiles.set(key, profile);
    }
    profile.servers.push(name);
    verdicts.push(
      profile.reasons.length
        ? { server: name, verdict: 'blocked', reason: profile.reasons.join(' ') }
        : { server: name, verdict: 'ok' },
    );
  }
  return { profiles: [...profiles.values()], verdicts };
}
