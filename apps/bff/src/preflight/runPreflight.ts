/**
 * The preflight: what OVH's installer will say about this image on this server, found out before
 * the server is erased. Every decision is a step of packages/shared's installer model, applied to
 * the bytes probed here, the same steps the simulator applies to the bytes it downloads: a
 * prediction and the real failure cannot drift apart. What the model cannot know (reachability
 * details, boot mode, the EFI bootloader) the preflight adds as checks of its own.
 */
import {
  CHECKSUM_HEX_LENGTH,
  checksumPairStep,
  diskSizeStep,
  downloadSizeStep,
  explainUpstreamMessage,
  firstFailure,
  formatExactBytes,
  formatStep,
  inferChecksumType,
  qcow2WriteProblems,
  sizeOnDisk,
  sniffImage,
  targetDisk,
  typesStep,
  writeStep,
  type ChecksumType,
  type DownloadFailure,
  type HardwareDto,
  type ImageSniff,
  type ImageType,
  type PreflightCheck,
  type PreflightImageFacts,
  type PreflightReport,
  type PreflightRequest,
  type StepFailure,
  type StepOutcome,
} from '@byoi/shared';
import { bootModeCheck, efiBootloaderCheck, readImageDisk, type ImageDisk } from './bootChecks.ts';
import { readChecksumFile } from './checksumFileCheck.ts';
import { FetchError, GuardError } from './errors.ts';
import { downloadFailed, downloadFailureOf, refusedHostFailure } from './ovhDownload.ts';
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

/** A check, and the installer-model failure behind it when it predicts one of OVH's messages. */
export interface Judged {
  check: PreflightCheck;
  failure?: StepFailure;
}

const image = (n: number) => formatExactBytes(n, 'memory');
const disk = (n: number) => formatExactBytes(n, 'disk');

function failWith(
  id: PreflightCheck['id'],
  title: string,
  sentence: string,
  failure: StepFailure,
  remedy?: string,
): Judged {
  return {
    check: {
      id,
      status: 'fail',
      title,
      sentence,
      predictedMessage: failure.message,
      remedy: remedy ?? explainUpstreamMessage(failure.message).remedy,
    },
    failure,
  };
}

const failed = (outcome: StepOutcome): StepFailure | undefined =>
  outcome.status === 'fail' ? outcome : undefined;

/** What OVH's own download meets where the probe met `get`; null when it got the image. */
function probeFailure(get: ProbeAnswer | FetchError): DownloadFailure | null {
  if (get instanceof FetchError) return downloadFailureOf(get);
  return get.status >= 200 && get.status <= 299 ? null : { kind: 'status', status: get.status };
}

// ---- reachability ----

function reachabilityCheck(
  input: PreflightRequest,
  probe: ImageProbe,
  hasHeaders: boolean,
): Judged {
  const title = 'Image URL reachable';
  const { head, get } = probe;
  if (get instanceof FetchError) {
    return failWith(
      'reachability',
      title,
      `OVH will not be able to download the image: ${get.message}`,
      downloadFailed(downloadFailureOf(get)),
    );
  }
  const failure = probeFailure(get);
  if (failure !== null && (get.status === 401 || get.status === 403)) {
    const sentence = hasHeaders
      ? `The image host answered ${statusText(get.status)} although the HTTP headers were sent: it refuses them.`
      : `The image host answered ${statusText(get.status)}: it needs an HTTP header (e.g. Basic auth).`;
    const remedy = hasHeaders
      ? 'Check the HTTP header name and value (for Basic auth: Authorization: Basic <base64 of user:password>).'
      : 'Add an HTTP header with the credentials, e.g. name Authorization, value Basic <base64 of user:password>.';
    return failWith('reachability', title, sentence, downloadFailed(failure), remedy);
  }
  if (failure !== null) {
    return failWith(
      'reachability',
      title,
      `The image host answered ${statusText(get.status)}${get.redirects.length ? ` at ${get.url}` : ''}: OVH's download would fail the same way.`,
      downloadFailed(failure),
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
  return {
    check: {
      id: 'reachability',
      status: 'pass',
      title,
      sentence: `${parts.join(' ')}.${headNote}`,
    },
  };
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
  imageType: ImageType,
  hardware: HardwareDto,
  length: number | null,
  sniff: ImageSniff,
): Judged {
  const title = 'Image size';
  const limit = hardware.imageLimitBytes;
  const ram = failed(downloadSizeStep({ bytes: length, limitBytes: limit, imageType }));
  if (ram && length !== null) {
    return failWith(
      'size',
      title,
      `The image is ${image(length)}; this server can download at most ${image(limit)} (its RAM minus 3 GiB).`,
      ram,
    );
  }
  const ramPart =
    length === null
      ? `The image's size is unknown, so it cannot be compared with the ${image(limit)} this server can download (RAM minus 3 GiB)`
      : `The image (${image(length)}) fits in the ${image(limit)} this server can download (RAM minus 3 GiB)`;

  // The installer compares sizes on disk only for a disk image of the declared type: anything
  // else fails on its format first (formatStep), so that is the message to predict.
  const target = targetDisk(hardware.diskGroups);
  const declared = formatStep({ sniff, imageType }).status === 'pass';
  const onDisk = declared ? sizeOnDisk(sniff, length) : null;
  const tooBig = declared
    ? failed(diskSizeStep({ sniff, imageBytes: length, disk: target }))
    : undefined;
  if (tooBig && onDisk !== null) {
    const where =
      hardware.diskGroups.length === 0
        ? "the server's hardware lists no disk, so the installer finds none to write to"
        : `more than the ${disk(target.bytes)} of ${target.device}`;
    return failWith(
      'size',
      title,
      `${ramPart}, but it takes ${image(onDisk)} on disk${sniff.qcow2 ? ' (its virtual size)' : ''}: ${where}.`,
      tooBig,
    );
  }
  const diskPart =
    onDisk === null ? '' : ` and ${image(onDisk)} fits on ${target.device} (${disk(target.bytes)})`;
  return {
    check: {
      id: 'size',
      status: length === null ? 'warn' : 'pass',
      title,
      sentence: `${ramPart}${diskPart}.`,
    },
  };
}

// ---- format ----

function describeImage(sniff: ImageSniff): string {
  if (sniff.kind === 'qcow2' && sniff.qcow2) {
    const q = sniff.qcow2;
    return `a qcow2 image (version ${q.version}, virtual size ${image(q.virtualSize)}, ${q.compressionType} compression${q.backingFile !== null ? `, backing file ${q.backingFile}` : ''}${q.encrypted ? ', encrypted' : ''})`;
  }
  if (sniff.partitions) {
    const p = sniff.partitions;
    const kinds = p.entries.map((e) => `${e.index}: ${e.kind}${e.name ? ` "${e.name}"` : ''}`);
    return `a raw disk image with ${p.table === 'gpt' ? 'a GPT' : 'an MBR'} partition table (${p.entries.length} partition${p.entries.length === 1 ? '' : 's'}${kinds.length ? `: ${kinds.join(', ')}` : ''})`;
  }
  return `${sniff.description}`;
}

function formatCheck(input: PreflightRequest, sniff: ImageSniff): Judged {
  const title = 'Image format';
  const what = describeImage(sniff);
  const format = failed(formatStep({ sniff, imageType: input.imageType }));
  if (format?.code === 'BAD_FORMAT') {
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
      format,
    );
  }
  if (format?.code === 'NOT_QCOW2') {
    const isRaw = sniff.kind === 'raw-gpt' || sniff.kind === 'raw-mbr';
    return failWith(
      'format',
      title,
      `The image is declared qcow2 but the file is ${what}.`,
      format,
      isRaw ? 'Choose raw as the Image type: the file is a raw disk image.' : undefined,
    );
  }
  if (format) {
    return failWith(
      'format',
      title,
      `The image is declared raw but the file has no partition table: it is ${what}.`,
      format,
      sniff.kind === 'qcow2'
        ? 'Choose qcow2 as the Image type: the file is a qcow2 image.'
        : undefined,
    );
  }
  const write = failed(writeStep({ sniff }));
  if (write?.code === 'WRITE_FAILED') {
    return failWith(
      'format',
      title,
      `The file is a qcow2 image OVH cannot write to disk: ${qcow2WriteProblems(sniff).join('; ')}.`,
      write,
    );
  }
  if (write) {
    return failWith(
      'format',
      title,
      'The file is a raw disk image whose GPT header fails its CRC check: the partition table is corrupt and cannot be moved to the end of the disk.',
      write,
    );
  }
  return {
    check: { id: 'format', status: 'pass', title, sentence: `The file is ${what}, as declared.` },
  };
}

// ---- checksum ----

/**
 * Who reads the report: a server page offers Verify checksum; a rollout does not, and its canary
 * is what meets a wrong checksum first.
 */
export type PreflightAudience = 'server' | 'fleet';

const CHECKSUM_NEXT: Record<PreflightAudience, string> = {
  server: 'Use Verify checksum to download the image once and compare it before installing.',
  fleet:
    "OVH compares it with each server's download and fails that server's install on a mismatch: the canary meets a wrong checksum before any batch.",
};

function checksumCheck(
  checksum: string | undefined,
  type: string | undefined,
  audience: PreflightAudience,
): Judged {
  const title = 'Checksum';
  const facts = {
    ...(checksum === undefined ? {} : { checksum }),
    ...(type === undefined ? {} : { checksumType: type }),
  };
  const pair = failed(checksumPairStep(facts));
  if (pair && checksum) {
    const inferred = inferChecksumType(checksum);
    return failWith(
      'checksum',
      title,
      'A checksum was given without its type: OVH refuses the install at once.',
      pair,
      `Choose the checksum type${inferred ? ` (a ${checksum.length}-character checksum is ${inferred})` : ''}, or clear the checksum.`,
    );
  }
  if (pair) {
    return failWith(
      'checksum',
      title,
      `A checksum type (${type}) was given without a checksum: OVH refuses the install at once.`,
      pair,
      `Paste the ${type} checksum of the image, or clear the checksum type.`,
    );
  }
  if (!checksum || !type) {
    return {
      check: {
        id: 'checksum',
        status: 'skipped',
        title,
        sentence: 'No checksum given: OVH will not check that the download is intact.',
        remedy:
          'Give the checksum (or the URL of a SHA256SUMS file) to have OVH check the download.',
      },
    };
  }
  const unknownType = failed(typesStep({ checksumType: type, imageType: 'raw' }));
  if (unknownType) {
    return failWith(
      'checksum',
      title,
      `OVH does not know the checksum type "${type}": it refuses the install at once.`,
      unknownType,
    );
  }
  const expected = CHECKSUM_HEX_LENGTH[type as ChecksumType];
  if (!/^[0-9a-f]+$/i.test(checksum) || checksum.length !== expected) {
    const inferred = inferChecksumType(checksum);
    return {
      check: {
        id: 'checksum',
        status: 'fail',
        title,
        sentence: `A ${type} checksum has ${expected} hexadecimal characters; this one has ${checksum.length}${inferred ? ` (the length of ${inferred})` : ''}, so it can never match.`,
        remedy: `Paste the ${type} checksum${inferred ? `, or choose ${inferred} as the checksum type` : ''}.`,
      },
    };
  }
  return {
    check: {
      id: 'checksum',
      status: 'pass',
      title,
      sentence: `A well-formed ${type} checksum. ${CHECKSUM_NEXT[audience]}`,
    },
  };
}

function skipped(id: PreflightCheck['id'], title: string, why: string): Judged {
  return { check: { id, status: 'skipped', title, sentence: why } };
}

function verdictOf(checks: PreflightCheck[]): PreflightReport['verdict'] {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'warn')) return 'warn';
  return 'pass';
}

function answerOf(a: ProbeAnswer | FetchError): ProbeAnswer | null {
  return a instanceof FetchError ? null : a;
}

function refusedCheck(input: PreflightRequest, error: GuardError): Judged {
  return failWith(
    'reachability',
    'Image URL reachable',
    `${error.message} OVH downloads the image from the internet, where this address cannot be reached.`,
    downloadFailed(refusedHostFailure(input.imageURL, error)),
    'Publish the image on a public address that OVH can download from (or, for a host that is meant to be reached, add it to PREFLIGHT_ALLOW_HOSTS).',
  );
}

const NOT_DOWNLOADED = 'Skipped: the image could not be downloaded.';

/**
 * What the preflight learns of the image whatever the server: the probe and every check that does
 * not read the hardware. A fleet reads it once and judges each server against it.
 */
export interface ImageRead {
  imageType: ImageType;
  efiBootloaderPath: string | undefined;
  /** The checksum file's check, reachability and the transfer warnings, in the report's order. */
  lead: Judged[];
  checksum: Judged;
  format: Judged;
  facts: PreflightImageFacts;
  resolvedChecksum?: PreflightReport['resolvedChecksum'];
  /** What the probe read, for the server checks; null when the image could not be downloaded. */
  image: { bytes: number | null; sniff: ImageSniff; disk: ImageDisk } | null;
}

/** The server-independent checks, in the order a report lists them. */
export function imageReadChecks(read: ImageRead): PreflightCheck[] {
  return [...read.lead, read.checksum, read.format].map((j) => j.check);
}

/** Phase 1: the checksum file, the probe, and the checks it decides on its own. */
export async function readImageForPreflight(
  input: PreflightRequest,
  deps: Pick<PreflightDeps, 'fetch' | 'signal'>,
  audience: PreflightAudience = 'server',
): Promise<ImageRead> {
  const headers = (input.httpHeaders ?? []).filter((h) => h.name.trim() !== '');
  const lead: Judged[] = [];

  let checksum = input.imageCheckSum?.trim().toLowerCase() || undefined;
  let checksumType = input.imageCheckSumType;
  let resolvedChecksum: PreflightReport['resolvedChecksum'];
  if (input.checksumFileURL) {
    const { check, resolved } = await readChecksumFile(deps.fetch, input, headers, deps.signal);
    lead.push({ check });
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
  lead.push(reachability);
  const read = {
    imageType: input.imageType,
    efiBootloaderPath: input.efiBootloaderPath,
    lead,
    checksum: checksumCheck(checksum, checksumType, audience),
    facts,
    ...(resolvedChecksum ? { resolvedChecksum } : {}),
  };

  if (probe instanceof GuardError || reachability.check.status === 'fail') {
    if (!(probe instanceof GuardError)) recordAnswers(facts, probe, input.imageURL);
    return {
      ...read,
      format: skipped('format', 'Image format', NOT_DOWNLOADED),
      image: null,
    };
  }
  lead.push(...transferWarnings(probe).map((check) => ({ check })));
  recordAnswers(facts, probe, input.imageURL);

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
  const format = formatCheck(input, sniff);
  // The disk is read further only for an image OVH would write: anything else fails first.
  const disk: ImageDisk =
    format.check.status === 'pass'
      ? await readImageDisk({
          fetch: deps.fetch,
          imageURL: input.imageURL,
          finalURL: facts.finalURL,
          headers,
          sniff,
          size: probe.contentLength,
          acceptRanges: probe.acceptRanges,
          ...(deps.signal ? { signal: deps.signal } : {}),
        })
      : { partitions: null, esp: null, notRead: 'The image fails its format check.' };
  if (disk.partitions) {
    facts.partitionTable = disk.partitions.table;
    facts.uefiCapable = disk.partitions.uefiCapable;
    facts.legacyCapable = disk.partitions.legacyCapable;
  }
  return { ...read, format, image: { bytes: probe.contentLength, sniff, disk } };
}

function recordAnswers(facts: PreflightImageFacts, probe: ImageProbe, imageURL: string): void {
  const get = answerOf(probe.get);
  const head = answerOf(probe.head);
  facts.finalURL = get?.url ?? head?.url ?? imageURL;
  facts.httpStatus = get?.status ?? head?.status ?? null;
  facts.contentLength = probe.contentLength;
  facts.acceptRanges = probe.acceptRanges;
}

/**
 * Phase 2: one server's hardware against the image read (size, boot mode, EFI bootloader), and
 * the message OVH would answer first, whichever phase found it.
 */
export function judgeServerForPreflight(
  read: ImageRead,
  server: PreflightServer,
  deps: Pick<PreflightDeps, 'now'> = {},
): PreflightReport {
  const now = deps.now ?? (() => new Date());
  const { hardware } = server;
  const { image } = read;
  const judged: Judged[] = image
    ? [
        ...read.lead,
        sizeCheck(read.imageType, hardware, image.bytes, image.sniff),
        read.checksum,
        read.format,
        { check: bootModeCheck(hardware, image.sniff, image.disk) },
        { check: efiBootloaderCheck(read.efiBootloaderPath, hardware, image.disk) },
      ]
    : [
        ...read.lead,
        skipped('size', 'Image size', NOT_DOWNLOADED),
        read.checksum,
        read.format,
        skipped('bootMode', 'Boot mode', NOT_DOWNLOADED),
        skipped('efiBootloader', 'EFI bootloader', NOT_DOWNLOADED),
      ];

  const checks = judged.map((j) => j.check);
  const predicted = firstFailure(judged.flatMap((j) => (j.failure ? [j.failure] : [])));
  return {
    serverName: server.name,
    verdict: verdictOf(checks),
    checkedAt: now().toISOString(),
    checks,
    facts: { ...read.facts },
    esp: image?.disk.esp ?? null,
    ...(read.resolvedChecksum ? { resolvedChecksum: read.resolvedChecksum } : {}),
    ...(predicted !== undefined ? { predictedMessage: predicted.message } : {}),
  };
}

export async function runPreflight(
  input: PreflightRequest,
  server: PreflightServer,
  deps: PreflightDeps,
): Promise<PreflightReport> {
  return judgeServerForPreflight(await readImageForPreflight(input, deps), server, deps);
}
