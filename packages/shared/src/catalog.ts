/**
 * The error catalog: every message OVH (and the simulator) gives for a BYOI install, what it means
 * and what the operator does about it. `UPSTREAM_MESSAGES` builds the exact texts and
 * `explainUpstreamMessage` reads them back, so the simulator and the UI cannot drift apart.
 */

import { formatExactBytes, type SizeKind } from './units.ts';

export type CatalogEntry = {
  code: string;
  title: string;
  meaning: string;
  remedy: string;
  /** The original upstream text. */
  message: string;
  values: Record<string, string>;
};

/**
 * The upstream texts, verbatim. OVH's guide of today rewords two of the seed's messages (the
 * download and the write failure); both wordings are here, and the catalog reads both.
 */
export const UPSTREAM_MESSAGES = {
  checksumPair: () => 'Please provide checkSum AND checkSumType or none of them',
  /** OVH's own list (sha512 is accepted nonetheless). */
  checksumType: () => 'Bad checkSumType, expected: sha1, sha256, md5.',
  badFormat: () => 'Bad format image, expected: qcow2, raw.',
  /** OVH today; `error` says why (see `downloadErrorText`). */
  downloadFailed: (error: string) => `Could not download image: ${error}`,
  /** The seed's wording of the same failure. */
  downloadFailedLocated: (url: string) => `Could not download image located: ${url}.`,
  imageTooBigForRam: (imageType: string) =>
    `Could not download, ${imageType} image is too big to download in memory.`,
  checksumMismatch: (checkSumType: string, got: string, expected: string) =>
    `Bad ${checkSumType} for downloaded file, got: ${got} while expecting ${expected}.`,
  notQcow2: (detected: string) =>
    `image provided format is ${detected} which does not match expected qcow2 format`,
  rawNoPartitionTable: (contents: string) =>
    `image provided format is not of type raw because no partition table was found. It seems to contain: ${contents}`,
  imageLargerThanDisk: (size: number | bigint, device: string, deviceSize: number | bigint) =>
    `image provided has a size of ${size} bytes which is larger than ${device} of ${deviceSize} bytes`,
  /** OVH today, for either image type. */
  writeFailed: (imageType: string) => `Can't write ${imageType} on disk`,
  /** The seed's wording, for qcow2. */
  qcow2WriteFailed: () => "Can't write qcow2 on disk.",
  gptRelocationFailed: () => 'Can not move backup GPT data structures to the end of disk.',
  configdriveFailed: () => 'Could not create configdrive on disk.',
  // ---- refusals of `reinstall` at submit (OVH's OpenAPI, 400/409 examples) ----
  customizationName: (name: string, operatingSystem: string) =>
    `Customization ${name} doesn't exist for operating system ${operatingSystem}`,
  customizationInvalidFormat: (name: string, type: string, why: string) =>
    `Invalid customization format for ${name} of type ${type}: ${why}`,
  customizationSizeExceeded: (length: number, limit: number) =>
    `Customization is ${length} big, which is exceeding limit of ${limit}`,
  hostnameInvalidFormat: (label: string) =>
    `Invalid hostname ${label}; must contain no more than 63 characters, start with a letter, end with a letter or a digit and contain only letters, digits and hyphens, see RFC 1035, section 2.3.1`,
  hostnameSizeExceeded: (length: number, limit: number) =>
    `Hostname provided is ${length} length. It shall not be longer than ${limit} characters, see RFC 1035, section 2.3.4`,
  disturbAlreadyExists: (serverName: string) =>
    `Server resource ${serverName} is already locked by another process, blocking any new OS reinstallation`,
} as const;

export interface CatalogDefinition {
  code: string;
  title: string;
  /** When OVH gives this message. */
  when: string;
  /** Matches the upstream message anywhere in a text; named groups are the extracted values. */
  pattern: RegExp;
  /** A real message of this kind, built with `UPSTREAM_MESSAGES` (OVH's wording of today). */
  example: string;
  /** The seed guide's wording, where it differs from today's. */
  seedExample?: string;
  explain: (values: Record<string, string>) => { meaning: string; remedy: string };
}

/** Bytes for a person, in the units of what they measure (see `formatExactBytes`). */
function bytes(value: string | undefined, kind: SizeKind): string {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n)) return `${value ?? '?'} bytes`;
  return formatExactBytes(n, kind);
}

const SUM_TOOL: Record<string, string> = {
  md5: 'md5sum',
  sha1: 'sha1sum',
  sha256: 'sha256sum',
  sha512: 'sha512sum',
};

/** The messages of the installer's steps (packages/shared's installer model). */
const INSTALLER_MESSAGES: readonly CatalogDefinition[] = [
  {
    code: 'CHECKSUM_PAIR',
    title: 'Checksum and checksum type must go together',
    when: 'A checksum was sent without its type, or a type without a checksum (refused at submit).',
    pattern: /Please provide checkSum AND checkSumType or none of them/,
    example: UPSTREAM_MESSAGES.checksumPair(),
    explain: () => ({
      meaning:
        'OVH received only half of the checksum settings, so it refused the install before touching the server.',
      remedy:
        'Fill in both Image checksum and Checksum type (e.g. the output of sha256sum and "sha256"), or clear both to skip the check.',
    }),
  },
  {
    code: 'CHECKSUM_TYPE',
    title: 'Unsupported checksum type',
    when: 'The checksum type is not one OVH knows (refused at submit).',
    pattern: /Bad checkSumType, expected: (?<expected>[^\n]+?)\./,
    example: UPSTREAM_MESSAGES.checksumType(),
    explain: () => ({
      meaning:
        'OVH does not know the checksum type that was sent, so it refused the install before touching the server.',
      remedy:
        'Choose md5, sha1, sha256 or sha512 as Checksum type (OVH accepts sha512 although its message does not list it) and give the matching checksum.',
    }),
  },
  {
    code: 'BAD_FORMAT',
    title: 'Not a qcow2 or raw disk image',
    when: 'The image type is not qcow2/raw, or the downloaded file is an ISO, an archive, a web page or text.',
    pattern: /Bad format image, expected: (?<expected>[^\n]+?)\./,
    example: UPSTREAM_MESSAGES.badFormat(),
    explain: () => ({
      meaning:
        'OVH only writes qcow2 or raw disk images. Either another image type was chosen, or the URL served something else: an ISO installer, a compressed file (.gz, .xz, .zst, .bz2) or a web page such as a login or error page.',
      remedy:
        'Publish the disk image itself: decompress it first (e.g. `xz -d image.raw.xz`, `zstd -d image.raw.zst`), convert other formats with `qemu-img convert -O qcow2 source.vmdk image.qcow2`, and check with `curl -I <url>` that the URL answers with the file, not an HTML page.',
    }),
  },
  {
    code: 'DOWNLOAD_FAILED',
    title: 'The image could not be downloaded',
    when: 'The image URL is unreachable: DNS failure, connection refused, HTTP 4xx/5xx, timeout.',
    // Today's wording carries the reason; the seed's the URL, lazy up to the dot that ends the
    // sentence so that dots inside the URL stay in it.
    pattern: /Could not download image(?: located: (?<url>\S+?)\.(?=\s|$)|: (?<error>[^\n]+))/,
    example: UPSTREAM_MESSAGES.downloadFailed('The requested URL returned error: 404'),
    seedExample: UPSTREAM_MESSAGES.downloadFailedLocated(
      'https://images.example.com/debian-12.qcow2',
    ),
    explain: (v) => {
      const status = /returned error: (\d{3})/.exec(v.error ?? '')?.[1];
      const url = v.url ?? '<image URL>';
      // The image host's own 401/403 (not OVH's about this console's keys): it wants credentials.
      if (status === '401' || status === '403') {
        return {
          meaning: `OVH's installer reached the image host, which answered ${status}: it wants credentials, and OVH sends them only as the HTTP headers given with the install. The server was not changed by the download attempt.`,
          remedy: `Give the credentials as an HTTP header (e.g. name Authorization, value Basic <base64 of user:password> or Bearer <token>), or use a signed link that has not expired. Check from a machine outside your network that \`curl -fI -H 'Authorization: …' ${url}\` answers 200.`,
        };
      }
      const why = v.error ? ` The download ended with: ${v.error}.` : '';
      return {
        meaning: `OVH's installer could not fetch ${v.url ?? 'the image'} from the internet (no answer, a DNS or TLS error, or an HTTP error status). The server was not changed by the download attempt.${why}`,
        remedy: `From a machine outside your network run \`curl -fI ${url}\` (with the same HTTP headers, if you give any): it must answer 200. Check the host name resolves publicly, the firewall allows OVH, the HTTPS certificate is valid and the link has not expired.`,
      };
    },
  },
  {
    code: 'IMAGE_TOO_BIG_FOR_RAM',
    title: 'Image larger than the memory available for the download',
    when: 'The image is larger than the server RAM minus 3 GiB.',
    pattern: /Could not download, (?<imageType>\S+) image is too big to download in memory\./,
    example: UPSTREAM_MESSAGES.imageTooBigForRam('qcow2'),
    explain: (v) => ({
      meaning: `OVH downloads the ${v.imageType ? `${v.imageType} ` : ''}image into the server's RAM before writing it, and only RAM − 3 GiB is available for it. This image is bigger.`,
      remedy:
        'Shrink the image below RAM − 3 GiB: convert raw to qcow2 with `qemu-img convert -O qcow2 -c image.raw image.qcow2` (compressed, and empty space takes no room), zero free space first (`virt-sparsify`), remove unneeded packages — or install on a server with more RAM.',
    }),
  },
  {
    code: 'CHECKSUM_MISMATCH',
    title: 'Checksum does not match the downloaded file',
    when: 'The checksum of the downloaded bytes differs from the one given.',
    pattern:
      /Bad (?<checkSumType>\S+) for downloaded file, got: (?<got>\S*) while expecting (?<expected>\S*?)\.(?=\s|$)/,
    example: UPSTREAM_MESSAGES.checksumMismatch('sha256', 'a'.repeat(64), 'b'.repeat(64)),
    explain: (v) => {
      const tool = SUM_TOOL[v.checkSumType ?? ''] ?? 'sha512sum';
      return {
        meaning: `The file OVH downloaded has the ${v.checkSumType ?? ''} checksum ${v.got ?? '?'}, not the ${v.expected ?? '?'} you gave: it is not the file you summed, or it was damaged or changed on the way.`,
        remedy: `Recompute it with \`${tool} image\` on the exact file the URL serves (download it with curl and sum that copy), check the URL does not point to an older or different build or to a redirect page, then paste the new checksum.`,
      };
    },
  },
  {
    code: 'NOT_QCOW2',
    title: 'Declared qcow2, but the file is not qcow2',
    when: 'Image type qcow2 was chosen but the downloaded file is not a qcow2 image.',
    pattern:
      /image provided format is (?<detected>(?!not of type)[^\n]+?) which does not match expected qcow2 format/,
    example: UPSTREAM_MESSAGES.notQcow2('raw'),
    explain: (v) => ({
      meaning: `You chose the qcow2 image type, but the file is ${v.detected === 'data' ? 'not a recognisable disk image (data)' : `a ${v.detected ?? 'different'} image`}.`,
      remedy:
        v.detected === 'raw'
          ? 'Choose Image type raw, or convert the file with `qemu-img convert -O qcow2 image.raw image.qcow2` and publish the result.'
          : 'Check with `qemu-img info image` that the URL serves your qcow2 image (not a different or damaged file); if it is raw, choose Image type raw.',
    }),
  },
  {
    code: 'RAW_NO_PARTITION_TABLE',
    title: 'Declared raw, but no partition table',
    when: 'Image type raw was chosen but the file has neither an MBR nor a GPT.',
    pattern:
      /image provided format is not of type raw because no partition table was found\. It seems to contain: (?<contents>[^\n]*)/,
    example: UPSTREAM_MESSAGES.rawNoPartitionTable('QEMU QCOW2 Image (v3)'),
    explain: (v) => {
      const isQcow2 = /qcow/i.test(v.contents ?? '');
      return {
        meaning: `You chose the raw image type, but the file has no MBR or GPT partition table; it seems to contain: ${v.contents || 'nothing recognisable'}.`,
        remedy: isQcow2
          ? 'The file is a qcow2 image: choose Image type qcow2.'
          : 'A raw image must be a whole disk with a partition table, not a single partition or file system. Check it with `sfdisk -l image.raw` or `sgdisk -p image.raw`, and rebuild it as a full disk (e.g. with `virt-make-fs --partition=gpt` or your image builder).',
      };
    },
  },
  {
    code: 'IMAGE_LARGER_THAN_DISK',
    title: 'Image larger than the target disk',
    when: 'The image (qcow2 virtual size, or raw size) is larger than the disk it is written to.',
    pattern:
      /image provided has a size of (?<size>\d+) bytes which is larger than (?<device>\S+) of (?<deviceSize>\d+) bytes/,
    example: UPSTREAM_MESSAGES.imageLargerThanDisk(536870912000, '/dev/sda', 480103981056),
    explain: (v) => ({
      meaning: `The image needs ${bytes(v.size, 'memory')} once written, but ${v.device ?? 'the disk'} holds only ${bytes(v.deviceSize, 'disk')}.`,
      remedy: `Make the image's disk smaller than ${bytes(v.deviceSize, 'disk')}: shrink the file systems and partitions, then \`qemu-img resize --shrink image.qcow2 <size>\` (or build it with a smaller disk; cloud-init's growpart enlarges it at first boot) — or install on a server with larger disks.`,
    }),
  },
  {
    code: 'WRITE_FAILED',
    title: 'The image could not be written',
    when: 'The image cannot be converted onto the disk: corrupt tables, a backing file, or encryption.',
    pattern: /Can't write (?<imageType>\S+) on disk\.?/,
    example: UPSTREAM_MESSAGES.writeFailed('qcow2'),
    seedExample: UPSTREAM_MESSAGES.qcow2WriteFailed(),
    explain: (v) => ({
      meaning: `OVH could not write the ${v.imageType ? `${v.imageType} ` : ''}image onto the disk (it runs \`qemu-img convert\`): the image is damaged, depends on a backing file that is not included, or is encrypted.`,
      remedy:
        v.imageType === 'raw'
          ? 'Check the image with `qemu-img info -f raw image.raw` and `sgdisk -v image.raw`, and make sure `qemu-img convert -f raw -O raw image.raw copy.raw` works on it, then publish it again.'
          : 'Run `qemu-img check image.qcow2` and `qemu-img info image.qcow2`. Make a standalone, unencrypted copy with `qemu-img convert -O qcow2 image.qcow2 standalone.qcow2` (this also merges a backing file), then publish that copy.',
    }),
  },
  {
    code: 'GPT_RELOCATION_FAILED',
    title: "The image's GPT is damaged",
    when: 'A raw GPT image whose backup header cannot be moved to the end of the disk (corrupt GPT).',
    pattern: /Can not move backup GPT data structures to the end of disk\./,
    example: UPSTREAM_MESSAGES.gptRelocationFailed(),
    explain: () => ({
      meaning:
        'After writing the raw image, OVH moves its backup GPT to the end of the larger disk; the partition table in the image is corrupt (bad CRC), so this failed.',
      remedy:
        'Check the table with `sgdisk -v image.raw`, repair it (`sgdisk -e image.raw` rewrites the backup header at the end of the image), or recreate the partition table, then publish the fixed image.',
    }),
  },
  {
    code: 'CONFIGDRIVE_FAILED',
    title: 'The config drive could not be created',
    when: 'The config drive cannot be built, usually because of bad user data.',
    pattern: /Could not create configdrive on disk\./,
    example: UPSTREAM_MESSAGES.configdriveFailed(),
    explain: () => ({
      meaning:
        'The image was written, but OVH could not build the cloud-init config drive, usually because the Config Drive user data is neither valid #cloud-config YAML nor a #! script.',
      remedy:
        'Make Config Drive user data start with #cloud-config followed by valid YAML (check it with `cloud-init schema --config-file user-data`), or with #! for a script, then install again.',
    }),
  },
];

/**
 * OVH's refusals of an install at submit that the form's own rules already prevent. Seen here, the
 * console and OVH disagree about a rule: the remedy says what to change and to report it.
 */
const SUBMIT_REFUSALS: readonly CatalogDefinition[] = [
  {
    code: 'CUSTOMIZATION_NAME',
    title: 'OVH does not know a customization',
    when: 'The reinstall body names a customization the operating system does not have.',
    pattern: /Customization (?<name>\S+) doesn't exist for operating system (?<os>\S+)/,
    example: UPSTREAM_MESSAGES.customizationName('language', 'byoi_64'),
    explain: (v) => ({
      meaning: `OVH refused the install before touching the server: ${v.os ?? 'this operating system'} has no customization named ${v.name ?? 'like that'}.`,
      remedy:
        'Remove that field. Bring Your Own Image accepts imageURL, imageType, imageCheckSum, imageCheckSumType, httpHeaders, configDriveUserData, configDriveMetadata, hostname, sshKey and efiBootloaderPath.',
    }),
  },
  {
    code: 'CUSTOMIZATION_INVALID_FORMAT',
    title: 'A customization has the wrong format',
    when: 'A reinstall customization is missing or is not of the type OVH expects.',
    pattern: /Invalid customization format for (?<name>\S+) of type (?<type>\S+): (?<why>[^\n]+)/,
    example: UPSTREAM_MESSAGES.customizationInvalidFormat(
      'efiBootloaderPath',
      'string',
      'efiBootloaderPath is mandatory for operating system byoi_64',
    ),
    explain: (v) => ({
      meaning: `OVH refused the install before touching the server: ${v.why ?? 'a customization is not valid'}.`,
      remedy:
        v.name === 'efiBootloaderPath'
          ? 'Give the EFI bootloader path: the .efi file in the image, e.g. `\\efi\\debian\\grubx64.efi` (Check image lists the ones your image holds).'
          : `Give ${v.name ?? 'the field'} as ${v.type === 'map[string]string' ? 'an object whose values are all text' : 'text'}.`,
    }),
  },
  {
    code: 'CUSTOMIZATION_SIZE_EXCEEDED',
    title: 'A customization is too large',
    when: 'A reinstall customization (typically the user data) is over OVH’s limit.',
    pattern: /Customization is (?<length>\d+) big, which is exceeding limit of (?<limit>\d+)/,
    example: UPSTREAM_MESSAGES.customizationSizeExceeded(70000, 65536),
    explain: (v) => ({
      meaning: `OVH refused the install before touching the server: a customization is ${v.length ?? '?'} bytes, over its limit of ${v.limit ?? '?'}.`,
      remedy:
        'Shorten the Config Drive user data, or have a short script download the rest at first boot.',
    }),
  },
  {
    code: 'HOSTNAME_INVALID',
    title: 'OVH refuses the hostname',
    when: 'The hostname breaks RFC 1035 as OVH reads it (each label starts with a letter).',
    pattern:
      /Invalid hostname (?<label>\S+); must contain|Hostname provided is (?<length>\d+) length/,
    example: UPSTREAM_MESSAGES.hostnameInvalidFormat('1web'),
    explain: (v) => ({
      meaning: v.label
        ? `OVH refused the install before touching the server: the hostname part "${v.label}" is not valid.`
        : `OVH refused the install before touching the server: the hostname is ${v.length ?? '?'} characters long.`,
      remedy:
        'Use labels of at most 63 letters, digits and hyphens, each starting with a letter and ending with a letter or a digit, e.g. web1.example.com.',
    }),
  },
  {
    code: 'SERVER_LOCKED',
    title: 'Another operation holds the server',
    when: 'OVH answers 409: another process (an intervention, a hardware task) has locked the server.',
    pattern: /is already locked by another process, blocking any new OS reinstallation/,
    example: UPSTREAM_MESSAGES.disturbAlreadyExists('ns1234567.ip-51-91-0.eu'),
    explain: () => ({
      meaning:
        'OVH refused the install before touching the server: another operation is running on it (an intervention, a reboot or a hardware task).',
      remedy:
        'Wait for that operation to end (the server’s tasks in the OVHcloud Control Panel show it), then install again.',
    }),
  },
];

/** Every message the console can explain, in the order they are tried. */
export const CATALOG: readonly CatalogDefinition[] = [...INSTALLER_MESSAGES, ...SUBMIT_REFUSALS];

export const UNKNOWN_CODE = 'UNKNOWN';

/** What OVH's message means and what to do; unknown messages keep their text under `UNKNOWN`. */
export function explainUpstreamMessage(message: string): CatalogEntry {
  for (const definition of CATALOG) {
    const match = definition.pattern.exec(message);
    if (!match) continue;
    const values: Record<string, string> = {};
    for (const [name, value] of Object.entries(match.groups ?? {})) {
      if (value !== undefined) values[name] = value;
    }
    return {
      code: definition.code,
      title: definition.title,
      ...definition.explain(values),
      message,
      values,
    };
  }
  return {
    code: UNKNOWN_CODE,
    title: 'Unrecognised error from OVH',
    meaning:
      'OVH reported a problem this console does not know yet; its own words are kept as they are.',
    remedy:
      "Read OVH's message; if it does not say what to change, contact OVHcloud support with the server name and the task id.",
    message,
    values: {},
  };
}
