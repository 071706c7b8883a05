/**
 * The preflight: what OVH's installer will say about this image on this server, found out before
 * the server is erased. Every predicted failure is built with the same `UPSTREAM_MESSAGES` the
 * simulator uses, and decided with the same sniffing code, so prediction and reality cannot drift.
 */
import {
  CHECKSUM_HEX_LENGTH,
  CHECKSUM_TYPES,
  UPSTREAM_MESSAGES,
  detectedFormatWord,
  explainUpstreamMessage,
  inferChecksumType,
  isRecognisedNonDiskFormat,
  sniffImage,
  type ChecksumType,
  type HardwareDto,
  type ImageSniff,
  type PreflightCheck,
  type PreflightImageFacts,
  type PreflightReport,
  type PreflightRequest,
} from '@byoi/shared';
import { readChecksumFile } from './checksumFileCheck.ts';
import { FetchError, GuardError } from './errors.ts';
import { statusText } from './httpStatus.ts';
import { probeImage, type ImageProbe, type ProbeAnswer } from './probeImage.ts';
import type { SafeFetch } from './safeFetch.ts';

export interface PreflightServer {
  name: string;
  hardware: HardwareDto;
}

export interface PreflightDeps {
  fetch: SafeFetch;
  now?: () => Date;
  signal?: AbortSignal;
}

const GIB = 1024 ** 3;

/** `12884901888` → `12.0 GiB (12884901888 bytes)`. */
export function formatBytes(n: number): string {
  return n >= GIB / 10 ? `${(n / GIB).toFixed(1)} GiB (${n} bytes)` : `${n} bytes`;
}

/** The disk BYOI writes to, named as the installer (and the simulator) names it. */
export function targetDisk(hardware: HardwareDto): { device: string; bytes: number } | null {
  const group = hardware.diskGroups[0];
  if (!group) return null;
  return {
    device: group.diskType.toUpperCase() === 'NVME' ? '/dev/nvme0n1' : '/dev/sda',
    bytes: group.diskSizeBytes,
  };
}

function failWith(
  id: PreflightCheck['id'],
  title: string,
  sentence: string,
  predictedMessage: string,
  remedy?: string,
): PreflightCheck {
  return {
    id,
    status: 'fail',
    title,
    sentence,
    predictedMessage,
    remedy: remedy ?? explainUpstreamMessage(predictedMessage).remedy,
  };
}

// ---- reachability ----

function reachabilityCheck(
  input: PreflightRequest,
  probe: ImageProbe,
  hasHeaders: boolean,
): PreflightCheck {
  const title = 'Image URL reachable';
  const predicted = UPSTREAM_MESSAGES.downloadFailed(input.imageURL);
  const { head, get } = probe;
  if (get instanceof FetchError) {
    return failWith(
      'reachability',
      title,
      `OVH will not be able to download the image: ${get.message}`,
      predicted,
    );
  }
  if (get.status === 401 || get.status === 403) {
    const sentence = hasHeaders
      ? `The image host answered ${statusText(get.status)} although the HTTP headers were sent: it refuses them.`
      : `The image host answered ${statusText(get.status)}: it needs an HTTP header (e.g. Basic auth).`;
    const remedy = hasHeaders
      ? 'Check the HTTP header name and value (for Basic auth: Authorization: Basic <base64 of user:password>).'
      : 'Add an HTTP header with the credentials, e.g. name Authorization, value Basic <base64 of user:password>.';
    return failWith('reachability', title, sentence, predicted, remedy);
  }
  if (get.status < 200 || get.status > 299) {
    return failWith(
      'reachability',
      title,
      `The image host answered ${statusText(get.status)}${get.redirects.length ? ` at ${get.url}` : ''}: OVH's download would fail the same way.`,
      predicted,
    );
  }
  const parts = [`The image host answered ${statusText(get.status)}`];
  if (get.redirects.length > 0) {
    parts.push(
      `after ${get.redirects.length} redirect${get.redirects.length > 1 ? 's' : ''} to ${get.url}`,
    );
  }
  if (get.tls) parts.push(`over ${get.tls.protocol ?? 'TLS'} with a valid certificate`);
  const headNote =
    head instanceof FetchError
      ? ` (HEAD failed: ${head.message} A ranged GET worked.)`
      : head.status < 200 || head.status > 299
        ? ` (HEAD was refused with ${statusText(head.status)}; a ranged GET worked.)`
        : '';
  return { id: 'reachability', status: 'pass', title, sentence: `${parts.join(' ')}.${headNote}` };
}

function transferWarnings(probe: ImageProbe): PreflightCheck[] {
  const warnings: PreflightCheck[] = [];
  if (probe.contentLength === null) {
    warnings.push({
      id: 'reachability',
      status: 'warn',
      title: 'Image size announced',
      sentence:
        'The image host does not send Content-Length: neither the console nor OVH can tell the size before downloading it all.',
      remedy:
        'Serve the image as a plain file (not a generated or compressed-on-the-fly response) so its size is announced.',
    });
  }
  if (!probe.acceptRanges) {
    warnings.push({
      id: 'reachability',
      status: 'warn',
      title: 'Resumable download',
      sentence:
        'The image host does not accept byte ranges (no Accept-Ranges): an interrupted download has to start again from zero.',
      remedy: 'Serve the image from a web server or object storage that supports Range requests.',
    });
  }
  return warnings;
}

// ---- size ----

function sizeCheck(
  input: PreflightRequest,
  hardware: HardwareDto,
  probe: ImageProbe,
  sniff: ImageSniff,
): PreflightCheck {
  const title = 'Image size';
  const length = probe.contentLength;
  if (length !== null && length > hardware.imageLimitBytes) {
    return failWith(
      'size',
      title,
      `The image is ${formatBytes(length)}; this server can download at most ${formatBytes(hardware.imageLimitBytes)} (its RAM minus 3 GiB).`,
      UPSTREAM_MESSAGES.imageTooBigForRam(input.imageType),
    );
  }
  const ramPart =
    length === null
      ? `The image's size is unknown, so it cannot be compared with the ${formatBytes(hardware.imageLimitBytes)} this server can download (RAM minus 3 GiB)`
      : `The image (${formatBytes(length)}) fits in the ${formatBytes(hardware.imageLimitBytes)} this server can download (RAM minus 3 GiB)`;

  // On disk, OVH compares the qcow2's virtual size, or the raw file's size — for a disk image of
  // the declared type only: anything else fails on its format first.
  const disk = targetDisk(hardware);
  const isDeclared =
    input.imageType === 'qcow2'
      ? sniff.kind === 'qcow2'
      : sniff.kind === 'raw-gpt' || sniff.kind === 'raw-mbr';
  // Like OVH's installer: a qcow2's virtual size when its header can be read, else the file size.
  const onDisk = !isDeclared ? null : (sniff.qcow2?.virtualSize ?? length);
  if (disk && onDisk !== null && onDisk > disk.bytes) {
    return failWith(
      'size',
      title,
      `${ramPart}, but it takes ${formatBytes(onDisk)} on disk${sniff.qcow2 ? ' (its virtual size)' : ''}, more than the ${formatBytes(disk.bytes)} of ${disk.device}.`,
      UPSTREAM_MESSAGES.imageLargerThanDisk(onDisk, disk.device, disk.bytes),
    );
  }
  const diskPart = !disk
    ? "; the server's hardware lists no disk to compare it with"
    : onDisk === null
      ? ''
      : ` and ${formatBytes(onDisk)} fits on ${disk.device} (${formatBytes(disk.bytes)})`;
  return {
    id: 'size',
    status: length === null ? 'warn' : 'pass',
    title,
    sentence: `${ramPart}${diskPart}.`,
  };
}

// ---- format ----

function describeImage(sniff: ImageSniff): string {
  if (sniff.kind === 'qcow2' && sniff.qcow2) {
    const q = sniff.qcow2;
    return `a qcow2 image (version ${q.version}, virtual size ${formatBytes(q.virtualSize)}, ${q.compressionType} compression${q.backingFile !== null ? `, backing file ${q.backingFile}` : ''}${q.encrypted ? ', encrypted' : ''})`;
  }
  if (sniff.partitions) {
    const p = sniff.partitions;
    const kinds = p.entries.map((e) => `${e.index}: ${e.kind}${e.name ? ` "${e.name}"` : ''}`);
    return `a raw disk image with ${p.table === 'gpt' ? 'a GPT' : 'an MBR'} partition table (${p.entries.length} partition${p.entries.length === 1 ? '' : 's'}${kinds.length ? `: ${kinds.join(', ')}` : ''})`;
  }
  return `${sniff.description}`;
}

function formatCheck(input: PreflightRequest, sniff: ImageSniff): PreflightCheck {
  const title = 'Image format';
  const what = describeImage(sniff);
  if (isRecognisedNonDiskFormat(sniff)) {
    const hint =
      sniff.kind === 'html' || sniff.kind === 'text'
        ? ' The URL probably points to a web page (a login or download page), not to the image file.'
        : sniff.kind === 'iso9660'
          ? ' An installer ISO is not a disk image.'
          : ' A compressed image must be decompressed before OVH can write it.';
    return failWith(
      'format',
      title,
      `The file is ${sniff.description}, not a qcow2 or raw disk image.${hint}`,
      UPSTREAM_MESSAGES.badFormat(),
    );
  }
  if (input.imageType === 'qcow2' && sniff.kind !== 'qcow2') {
    const isRaw = sniff.kind === 'raw-gpt' || sniff.kind === 'raw-mbr';
    return failWith(
      'format',
      title,
      `The image is declared qcow2 but the file is ${what}.`,
      UPSTREAM_MESSAGES.notQcow2(detectedFormatWord(sniff)),
      isRaw ? 'Choose raw as the Image type: the file is a raw disk image.' : undefined,
    );
  }
  if (input.imageType === 'raw' && sniff.kind !== 'raw-gpt' && sniff.kind !== 'raw-mbr') {
    return failWith(
      'format',
      title,
      `The image is declared raw but the file has no partition table: it is ${what}.`,
      UPSTREAM_MESSAGES.rawNoPartitionTable(sniff.description),
      sniff.kind === 'qcow2'
        ? 'Choose qcow2 as the Image type: the file is a qcow2 image.'
        : undefined,
    );
  }
  if (sniff.kind === 'qcow2') {
    const q = sniff.qcow2;
    const reasons = [
      ...(q?.backingFile != null ? [`it depends on a backing file (${q.backingFile})`] : []),
      ...(q?.encrypted ? ['it is encrypted'] : []),
      ...(q?.problems ?? []),
    ];
    if (!q || reasons.length > 0) {
      return failWith(
        'format',
        title,
        `The file is a qcow2 image OVH cannot write to disk: ${reasons.join('; ') || 'its header cannot be read'}.`,
        UPSTREAM_MESSAGES.qcow2WriteFailed(),
      );
    }
  }
  if (sniff.kind === 'raw-gpt' && sniff.partitions?.gptHeaderCrcValid === false) {
    return failWith(
      'format',
      title,
      'The file is a raw disk image whose GPT header fails its CRC check: the partition table is corrupt and cannot be moved to the end of the disk.',
      UPSTREAM_MESSAGES.gptRelocationFailed(),
    );
  }
  return { id: 'format', status: 'pass', title, sentence: `The file is ${what}, as declared.` };
}

// ---- boot mode ----

function bootModeCheck(hardware: HardwareDto, sniff: ImageSniff): PreflightCheck {
  const title = 'Boot mode';
  const p = sniff.partitions;
  if (!p) {
    return {
      id: 'bootMode',
      status: 'skipped',
      title,
      sentence:
        sniff.kind === 'qcow2'
          ? "A qcow2 image's partitions are not visible in its first bytes, so its boot mode was not compared with the server's."
          : 'Without a partition table the boot mode cannot be compared.',
    };
  }
  const can = [p.uefiCapable ? 'UEFI' : null, p.legacyCapable ? 'legacy BIOS' : null]
    .filter(Boolean)
    .join(' and ');
  if (hardware.bootMode === 'uefi' && !p.uefiCapable) {
    return {
      id: 'bootMode',
      status: 'warn',
      title,
      sentence: `The server boots in UEFI mode but the image has no EFI system partition${p.legacyCapable ? ' (it boots in legacy BIOS mode only)' : ''}: it will likely not boot after the install.`,
      remedy:
        'Use an image with an EFI system partition (most cloud images have one), or switch the server to legacy boot.',
    };
  }
  if (hardware.bootMode === 'legacy' && !p.legacyCapable) {
    return {
      id: 'bootMode',
      status: 'warn',
      title,
      sentence: `The server boots in legacy BIOS mode but the image has neither a BIOS boot partition nor MBR boot code${p.uefiCapable ? ' (it boots in UEFI mode only)' : ''}: it will likely not boot after the install.`,
      remedy:
        'Use an image that also boots in legacy mode (a BIOS boot partition with GRUB), or switch the server to UEFI boot.',
    };
  }
  return {
    id: 'bootMode',
    status: 'pass',
    title,
    sentence: `The image can boot in ${can}; the server boots in ${hardware.bootMode === 'uefi' ? 'UEFI' : 'legacy BIOS'} mode.`,
  };
}

// ---- checksum ----

function checksumCheck(checksum: string | undefined, type: string | undefined): PreflightCheck {
  const title = 'Checksum';
  if (checksum && !type) {
    const inferred = inferChecksumType(checksum);
    return failWith(
      'checksum',
      title,
      'A checksum was given without its type: OVH refuses the install at once.',
      UPSTREAM_MESSAGES.checksumPair(),
      `Choose the checksum type${inferred ? ` (a ${checksum.length}-character checksum is ${inferred})` : ''}, or clear the checksum.`,
    );
  }
  if (!checksum && type) {
    return failWith(
      'checksum',
      title,
      `A checksum type (${type}) was given without a checksum: OVH refuses the install at once.`,
      UPSTREAM_MESSAGES.checksumPair(),
      `Paste the ${type} checksum of the image, or clear the checksum type.`,
    );
  }
  if (!checksum || !type) {
    return {
      id: 'checksum',
      status: 'skipped',
      title,
      sentence: 'No checksum given: OVH will not check that the download is intact.',
      remedy: 'Give the checksum (or the URL of a SHA256SUMS file) to have OVH check the download.',
    };
  }
  if (!(CHECKSUM_TYPES as readonly string[]).includes(type)) {
    return failWith(
      'checksum',
      title,
      `OVH does not know the checksum type "${type}": it refuses the install at once.`,
      UPSTREAM_MESSAGES.checksumType(),
    );
  }
  const expected = CHECKSUM_HEX_LENGTH[type as ChecksumType];
  if (!/^[0-9a-f]+$/i.test(checksum) || checksum.length !== expected) {
    const inferred = inferChecksumType(checksum);
    return {
      id: 'checksum',
      status: 'fail',
      title,
      sentence: `A ${type} checksum has ${expected} hexadecimal characters; this one has ${checksum.length}${inferred ? ` (the length of ${inferred})` : ''}, so it can never match.`,
      remedy: `Paste the ${type} checksum${inferred ? `, or choose ${inferred} as the checksum type` : ''}.`,
    };
  }
  return {
    id: 'checksum',
    status: 'pass',
    title,
    sentence: `A well-formed ${type} checksum. Use Verify checksum to download the image once and compare it before installing.`,
  };
}

function skipped(id: PreflightCheck['id'], title: string, why: string): PreflightCheck {
  return { id, status: 'skipped', title, sentence: why };
}

function verdictOf(checks: PreflightCheck[]): PreflightReport['verdict'] {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'warn')) return 'warn';
  return 'pass';
}

/**
 * OVH's order of decisions (DESIGN.md): at submit, then download, RAM, checksum, format, disk size,
 * write. An image with several problems meets only the first, so that is the one to predict.
 */
const OVH_ORDER = [
  'CHECKSUM_PAIR',
  'CHECKSUM_TYPE',
  'DOWNLOAD_FAILED',
  'IMAGE_TOO_BIG_FOR_RAM',
  'CHECKSUM_MISMATCH',
  'BAD_FORMAT',
  'NOT_QCOW2',
  'RAW_NO_PARTITION_TABLE',
  'IMAGE_LARGER_THAN_DISK',
  'QCOW2_WRITE_FAILED',
  'GPT_RELOCATION_FAILED',
];

export function firstPredictedMessage(checks: PreflightCheck[]): string | undefined {
  let best: { rank: number; message: string } | undefined;
  for (const check of checks) {
    if (check.status !== 'fail' || check.predictedMessage === undefined) continue;
    const rank = OVH_ORDER.indexOf(explainUpstreamMessage(check.predictedMessage).code);
    const r = rank === -1 ? OVH_ORDER.length : rank;
    if (!best || r < best.rank) best = { rank: r, message: check.predictedMessage };
  }
  return best?.message;
}

function answerOf(a: ProbeAnswer | FetchError): ProbeAnswer | null {
  return a instanceof FetchError ? null : a;
}

/** A host the guard refused: OVH downloads from the internet, where a private address leads nowhere. */
function refusedCheck(input: PreflightRequest, error: GuardError): PreflightCheck {
  return failWith(
    'reachability',
    'Image URL reachable',
    `${error.message} OVH downloads the image from the internet, where this address cannot be reached.`,
    UPSTREAM_MESSAGES.downloadFailed(input.imageURL),
    'Publish the image on a public address that OVH can download from (or, for a host that is meant to be reached, add it to PREFLIGHT_ALLOW_HOSTS).',
  );
}

export async function runPreflight(
  input: PreflightRequest,
  server: PreflightServer,
  deps: PreflightDeps,
): Promise<PreflightReport> {
  const now = deps.now ?? (() => new Date());
  const headers = (input.httpHeaders ?? []).filter((h) => h.name.trim() !== '');
  const checks: PreflightCheck[] = [];

  let checksum = input.imageCheckSum?.trim().toLowerCase() || undefined;
  let checksumType = input.imageCheckSumType;
  let resolvedChecksum: PreflightReport['resolvedChecksum'];
  if (input.checksumFileURL) {
    const { check, resolved } = await readChecksumFile(deps.fetch, input, headers, deps.signal);
    checks.push(check);
    if (resolved) {
      resolvedChecksum = resolved;
      checksum = resolved.checksum;
      checksumType = resolved.type;
    }
  }

  let probe: ImageProbe | GuardError;
  try {
    probe = await probeImage(deps.fetch, input.imageURL, headers, deps.signal);
  } catch (error) {
    if (!(error instanceof GuardError)) throw error;
    probe = error;
  }
  const facts: PreflightImageFacts = {
    finalURL: input.imageURL,
    httpStatus: null,
    contentLength: null,
    acceptRanges: false,
    detectedType: null,
    description: null,
    virtualSizeBytes: null,
    partitionTable: null,
    uefiCapable: null,
    legacyCapable: null,
  };
  const reachability =
    probe instanceof GuardError
      ? refusedCheck(input, probe)
      : reachabilityCheck(input, probe, headers.length > 0);
  checks.push(reachability);

  if (probe instanceof GuardError || reachability.status === 'fail') {
    const why = 'Skipped: the image could not be downloaded.';
    checks.push(
      skipped('size', 'Image size', why),
      checksumCheck(checksum, checksumType),
      skipped('format', 'Image format', why),
      skipped('bootMode', 'Boot mode', why),
    );
  } else {
    checks.push(...transferWarnings(probe));
  }
  if (!(probe instanceof GuardError)) {
    const get = answerOf(probe.get);
    const head = answerOf(probe.head);
    facts.finalURL = get?.url ?? head?.url ?? input.imageURL;
    facts.httpStatus = get?.status ?? head?.status ?? null;
    facts.contentLength = probe.contentLength;
    facts.acceptRanges = probe.acceptRanges;
  }
  if (!(probe instanceof GuardError) && reachability.status !== 'fail') {
    const sniff = sniffImage(
      probe.prefix,
      probe.contentLength !== null ? { totalSize: probe.contentLength } : {},
    );
    facts.detectedType = sniff.kind;
    facts.description = sniff.description;
    facts.virtualSizeBytes = sniff.qcow2?.virtualSize ?? null;
    facts.partitionTable = sniff.partitions?.table ?? null;
    facts.uefiCapable = sniff.partitions?.uefiCapable ?? null;
    facts.legacyCapable = sniff.partitions?.legacyCapable ?? null;
    checks.push(
      sizeCheck(input, server.hardware, probe, sniff),
      checksumCheck(checksum, checksumType),
      formatCheck(input, sniff),
      bootModeCheck(server.hardware, sniff),
    );
  }

  const predictedMessage = firstPredictedMessage(checks);
  return {
    serverName: server.name,
    verdict: verdictOf(checks),
    checkedAt: now().toISOString(),
    checks,
    facts,
    ...(resolvedChecksum ? { resolvedChecksum } : {}),
    ...(predictedMessage !== undefined ? { predictedMessage } : {}),
  };
}
