/**
 * The BYOI install form: one zod schema used by the web form (as a convenience), the BFF (as the
 * guard) and the simulator. Rules and labels follow DESIGN.md's "The form" table; every message
 * says what is wrong and how to fix it.
 */
import { z } from 'zod';
import { checkCloudConfig, detectUserDataKind, utf8ByteLength } from './userData.ts';

export const IMAGE_TYPES = ['qcow2', 'raw'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

export const CHECKSUM_TYPES = ['md5', 'sha1', 'sha256', 'sha512'] as const;
export type ChecksumType = (typeof CHECKSUM_TYPES)[number];

export const CHECKSUM_HEX_LENGTH: Record<ChecksumType, number> = {
  md5: 32,
  sha1: 40,
  sha256: 64,
  sha512: 128,
};

export const INSTALL_ROUTES = ['install-start', 'reinstall'] as const;
export type InstallRoute = (typeof INSTALL_ROUTES)[number];

export const MAX_HTTP_HEADERS = 10;
export const MAX_METADATA = 10;
export const USER_DATA_MAX_BYTES = 65536;

const IMAGE_URL_MAX_LENGTH = 2000;
const METADATA_VALUE_MAX_LENGTH = 2000;
/** OVH's `HostnameSizeExceeded` limit for a whole hostname. */
export const HOSTNAME_MAX_LENGTH = 253;
/** OVH's `HostnameInvalidFormat` limit for one label (RFC 1035, section 2.3.1). */
export const HOSTNAME_LABEL_MAX_LENGTH = 63;
const EFI_PATH_EXAMPLE = '\\efi\\debian\\grubx64.efi';

const HEX = /^[0-9a-f]+$/;

function isChecksumType(value: unknown): value is ChecksumType {
  return (CHECKSUM_TYPES as readonly unknown[]).includes(value);
}

/** The checksum type a pasted checksum's length implies; undefined unless it is plain hex. */
export function inferChecksumType(checksum: string): ChecksumType | undefined {
  const hex = checksum.trim().toLowerCase();
  if (!HEX.test(hex)) return undefined;
  return CHECKSUM_TYPES.find((type) => CHECKSUM_HEX_LENGTH[type] === hex.length);
}

/** A required text field whose wrong type gets a message naming the field. */
function text(label: string): z.ZodString {
  return z.string({ error: `${label} must be text.` });
}

/**
 * The web form sends '' for untouched optional inputs: blank means absent. `trim` decides whether
 * surrounding blanks are dropped (not for user data, where every byte reaches cloud-init).
 */
function optionalText<T extends z.ZodType<unknown, string>>(label: string, inner: T, trim = true) {
  return text(label)
    .optional()
    .transform((value) => {
      if (value === undefined || value.trim() === '') return undefined;
      return trim ? value.trim() : value;
    })
    .pipe(inner.optional());
}

// ---- imageURL ----

/** No lone surrogate: such text cannot be encoded as UTF-8 (in `u` mode, pairs are not `Cs`). */
function isWellFormedText(value: string): boolean {
  return !/\p{Cs}/u.test(value);
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/**
 * The host (and port) as written between `//` and the path, lowercased and without a default port,
 * in the form WHATWG's parser gives `URL.host` for a plain ASCII host; null for a non-ASCII host
 * (its punycode is then what every client reads).
 */
function authorityHost(value: string): string | null {
  const match = /^(https?:)\/\/([^/?#]*)/i.exec(value);
  if (!match) return null;
  const scheme = (match[1] ?? '').toLowerCase();
  const authority = (match[2] ?? '').toLowerCase();
  // A non-ASCII host is converted to punycode by every conforming client.
  if (/[^\x20-\x7e]/.test(authority)) return null;
  const [, host = '', port] = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(authority) ?? [];
  const keepPort = port !== undefined && port !== '' && port !== DEFAULT_PORTS[scheme];
  return keepPort ? `${host}:${String(Number(port))}` : host;
}

const NO_HOST =
  'The image URL has no host name. Write it as http(s)://host/path, e.g. https://images.example.com/debian-12.qcow2.';

const imageURL = text('The image URL')
  .trim()
  .superRefine((value, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (value === '') {
      return fail(
        'Enter the image URL, e.g. https://images.example.com/debian-12.qcow2: the address OVH downloads your image from.',
      );
    }
    if (/\s/.test(value)) {
      return fail(
        'The image URL contains a space or line break. Remove it, or encode spaces in the path as %20.',
      );
    }
    if (/\p{Cc}/u.test(value) || !isWellFormedText(value)) {
      return fail(
        'The image URL contains a control character or a broken Unicode character. Copy the URL again from its source; encode any special character of the path with %XX.',
      );
    }
    if (value.includes('\\')) {
      return fail(
        'The image URL contains a backslash (\\). Web servers and URL parsers read it differently (some as /, some as text), so OVH might fetch another address: write / between path parts, or encode a real backslash as %5C.',
      );
    }
    if (!/^https?:\/\//i.test(value)) {
      return fail(
        'The image URL must start with http:// or https://. FTP and local files are not supported: publish the image on a web server.',
      );
    }
    if (value.length > IMAGE_URL_MAX_LENGTH) {
      return fail(
        `The image URL is ${value.length} characters long; OVH accepts at most ${IMAGE_URL_MAX_LENGTH}. Use a shorter link to the image.`,
      );
    }
    // WHATWG URL parsing would quietly read https:///a.raw as host "a.raw": check the text first.
    if (/^https?:\/\/(?:[/?#]|$)/i.test(value)) {
      return fail(NO_HOST);
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return fail(
        'The image URL is not a valid web address. Check it for typos, e.g. https://images.example.com/debian-12.qcow2.',
      );
    }
    if (url.hostname === '') return fail(NO_HOST);
    if (url.username !== '' || url.password !== '') {
      return fail(
        'The image URL contains a user name or password (user:pass@). Remove them from the URL and add an HTTP header instead, e.g. Authorization: Basic <base64 of user:pass>.',
      );
    }
    const written = authorityHost(value);
    if (written !== null && written !== url.host) {
      return fail(
        `The image URL's host "${written}" is read by URL parsers as "${url.host}": OVH's downloader might not agree. Write the host plainly, e.g. https://images.example.com/debian-12.qcow2 or https://192.0.2.10/debian-12.qcow2.`,
      );
    }
  });

// ---- imageType ----

const CHOOSE_IMAGE_TYPE =
  'Choose the image type: qcow2 or raw (OVH writes no other format; convert others with qemu-img).';

/** Input is any string: payloads read back from OVH requests and blank form selects reach it. */
const imageType = z
  .string({ error: CHOOSE_IMAGE_TYPE })
  .trim()
  .pipe(z.enum(IMAGE_TYPES, { error: CHOOSE_IMAGE_TYPE }));

// ---- imageCheckSum / imageCheckSumType ----

const imageCheckSum = optionalText(
  'The image checksum',
  z
    .string()
    .transform((value) => value.toLowerCase())
    .superRefine((value, ctx) => {
      if (/\s/.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message:
            'Paste only the checksum itself, without the file name that sha256sum and similar tools print after it.',
        });
      } else if (!HEX.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message:
            'The image checksum must contain only hexadecimal characters (0-9, a-f). Copy it again from the output of sha256sum (or md5sum, sha1sum, sha512sum).',
        });
      }
    }),
);

const imageCheckSumType = optionalText(
  'The checksum type',
  z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(
      z.enum(CHECKSUM_TYPES, {
        error: 'Choose a checksum type OVH supports: md5, sha1, sha256 or sha512.',
      }),
    ),
);

// ---- httpHeaders ----

/** RFC 9110 `token`. */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const httpHeaderName = text('The HTTP header name')
  .trim()
  .superRefine((value, ctx) => {
    if (value === '') {
      ctx.addIssue({
        code: 'custom',
        message: 'Enter the HTTP header name, e.g. Authorization, or remove this header.',
      });
    } else if (!HTTP_TOKEN.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message:
          "The HTTP header name may contain only letters, digits and ! # $ % & ' * + - . ^ _ ` | ~ (no spaces or colons), e.g. Authorization.",
      });
    }
  });

const httpHeaderValue = text('The HTTP header value').superRefine((value, ctx) => {
  if (/[\r\n]/.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message: 'The HTTP header value must fit on one line: remove the line breaks.',
    });
  } else if (/[^\t\P{Cc}]/u.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message:
        'The HTTP header value contains a control character (such as NUL). Copy the value again: an HTTP header holds only visible characters, spaces and tabs.',
    });
  } else if (/[^\0-\xff]/.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message:
        'The HTTP header value contains a character HTTP headers cannot carry (beyond Latin-1, e.g. an emoji or a curly quote). Use plain ASCII; encode other text, e.g. as base64.',
    });
  } else if (value.trim() === '') {
    ctx.addIssue({
      code: 'custom',
      message: 'Enter the HTTP header value, or remove this header.',
    });
  }
});

const httpHeader = z.strictObject(
  { name: httpHeaderName, value: httpHeaderValue },
  { error: objectMessages('An HTTP header', ['name', 'value']) },
);

const httpHeaders = z
  .array(httpHeader, { error: 'HTTP headers must be a list of name/value pairs.' })
  .max(MAX_HTTP_HEADERS, {
    error: `OVH accepts at most ${MAX_HTTP_HEADERS} HTTP headers. Remove the ones the image server does not need.`,
  })
  .default([]);

// ---- configDriveUserData ----

const configDriveUserData = optionalText(
  'Config Drive user data',
  z.string().superRefine((value, ctx) => {
    const bytes = utf8ByteLength(value);
    if (bytes > USER_DATA_MAX_BYTES) {
      ctx.addIssue({
        code: 'custom',
        message: `Config Drive user data is ${bytes} bytes; the limit is 64 KiB (${USER_DATA_MAX_BYTES} bytes). Shorten it, or have a short script download the rest at first boot.`,
      });
      return;
    }
    const kind = detectUserDataKind(value);
    if (kind === 'cloud-config') {
      const check = checkCloudConfig(value);
      if (!check.ok) ctx.addIssue({ code: 'custom', message: check.message });
    } else if (kind !== 'script') {
      ctx.addIssue({
        code: 'custom',
        message:
          'Config Drive user data must start with #cloud-config (cloud-init YAML) or #! (a script, e.g. #!/bin/bash) on its very first line. Add one of them, with nothing before it.',
      });
    }
  }),
  false,
);

// ---- configDriveMetadata ----

const METADATA_KEY = /^[A-Za-z0-9-]{1,256}$/;
/** Printable: no control characters (C0, DEL, C1). */
const CONTROL_CHAR = /\p{Cc}/u;

const metadataEntry = z.strictObject(
  {
    key: text('The metadata key')
      .trim()
      .superRefine((value, ctx) => {
        if (value === '') {
          ctx.addIssue({
            code: 'custom',
            message: 'Enter the metadata key, e.g. role, or remove this entry.',
          });
        } else if (!METADATA_KEY.test(value)) {
          ctx.addIssue({
            code: 'custom',
            message:
              'The metadata key may contain only letters, digits and hyphens (at most 256), e.g. role or cluster-name.',
          });
        }
      }),
    value: text('The metadata value').superRefine((value, ctx) => {
      if (value.trim() === '') {
        ctx.addIssue({
          code: 'custom',
          message: 'Enter the metadata value, or remove this entry.',
        });
      } else if (value.length > METADATA_VALUE_MAX_LENGTH) {
        ctx.addIssue({
          code: 'custom',
          message: `The metadata value is ${value.length} characters long; the limit is ${METADATA_VALUE_MAX_LENGTH}. Shorten it.`,
        });
      } else if (CONTROL_CHAR.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message:
            'The metadata value must be printable text on one line: remove line breaks, tabs and other control characters.',
        });
      }
    }),
  },
  { error: objectMessages('A metadata entry', ['key', 'value']) },
);

const configDriveMetadata = z
  .array(metadataEntry, { error: 'Config Drive metadata must be a list of key/value pairs.' })
  .max(MAX_METADATA, {
    error: `OVH accepts at most ${MAX_METADATA} metadata entries. Remove the ones you do not need.`,
  })
  .default([]);

// ---- customHostname ----

/**
 * What is wrong with a hostname by OVH's rule, or null when OVH accepts it: at most 253 characters
 * (`HostnameSizeExceeded`), and each label between dots at most 63 characters, starting with a
 * letter, ending with a letter or a digit, made only of letters, digits and hyphens
 * (`HostnameInvalidFormat`). One rule for the form and for the simulator's refusals.
 */
export type HostnameProblem =
  | { kind: 'tooLong'; length: number; limit: number }
  | {
      kind: 'label';
      label: string;
      reason: 'empty' | 'tooLong' | 'characters' | 'start' | 'end';
    };

const LETTER = /^[A-Za-z]$/;
const LETTER_OR_DIGIT = /^[A-Za-z0-9]$/;
const LABEL_CHARACTERS = /^[A-Za-z0-9-]+$/;

function labelProblem(label: string): Extract<HostnameProblem, { kind: 'label' }>['reason'] | null {
  if (label === '') return 'empty';
  if (label.length > HOSTNAME_LABEL_MAX_LENGTH) return 'tooLong';
  if (!LABEL_CHARACTERS.test(label)) return 'characters';
  if (!LETTER.test(label.charAt(0))) return 'start';
  if (!LETTER_OR_DIGIT.test(label.charAt(label.length - 1))) return 'end';
  return null;
}

export function hostnameProblem(hostname: string): HostnameProblem | null {
  if (hostname.length > HOSTNAME_MAX_LENGTH) {
    return { kind: 'tooLong', length: hostname.length, limit: HOSTNAME_MAX_LENGTH };
  }
  for (const label of hostname.split('.')) {
    const reason = labelProblem(label);
    if (reason) return { kind: 'label', label, reason };
  }
  return null;
}

const HOSTNAME_EXAMPLE = 'web1.example.com';

function hostnameMessage(problem: HostnameProblem): string {
  if (problem.kind === 'tooLong') {
    return `The hostname is ${problem.length} characters long; the limit is ${problem.limit}. Use a shorter name.`;
  }
  const { label } = problem;
  switch (problem.reason) {
    case 'empty':
      return `The hostname has an empty part (two dots in a row, or a dot at the start or end). Remove the extra dot, e.g. ${HOSTNAME_EXAMPLE}.`;
    case 'tooLong':
      return `The hostname part "${label.slice(0, 20)}…" is ${label.length} characters long; each part between dots may have at most ${HOSTNAME_LABEL_MAX_LENGTH}. Shorten it.`;
    case 'characters':
      return `The hostname part "${label}" is not valid: use only letters (a-z), digits and hyphens, with dots between the parts, e.g. ${HOSTNAME_EXAMPLE}.`;
    case 'start': {
      // Only suggest a fix that OVH would accept.
      const fixed = `srv${label.startsWith('-') ? '' : '-'}${label}`;
      const example = labelProblem(fixed) === null ? `"${fixed}"` : `"web1" rather than "1web"`;
      return `The hostname part "${label}" starts with "${label.charAt(0)}": OVH requires every part between dots to start with a letter. Put a letter first, e.g. ${example}.`;
    }
    case 'end':
      return `The hostname part "${label}" ends with a hyphen: every part between dots must end with a letter or a digit. Remove the trailing hyphen, e.g. "${label.replace(/-+$/, '')}".`;
  }
}

const customHostname = optionalText(
  'The custom hostname',
  z.string().superRefine((value, ctx) => {
    const problem = hostnameProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: hostnameMessage(problem) });
  }),
);

// ---- sshKey ----

const SSH_KEY_TYPES = [
  'ssh-rsa',
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

/** The key blob begins with its own type name (uint32 length + name): a truncated paste fails it. */
function blobNamesType(blob: string, type: string): boolean {
  let binary: string;
  try {
    binary = atob(blob);
  } catch {
    return false;
  }
  if (binary.length < 4 + type.length) return false;
  const length =
    ((binary.charCodeAt(0) << 24) |
      (binary.charCodeAt(1) << 16) |
      (binary.charCodeAt(2) << 8) |
      binary.charCodeAt(3)) >>>
    0;
  return length === type.length && binary.slice(4, 4 + length) === type;
}

const sshKey = optionalText(
  'The SSH public key',
  z.string().superRefine((value, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (value.includes('PRIVATE KEY')) {
      return fail(
        'This is a private key: never share it. Paste the public key instead, the one-line content of the .pub file (e.g. ~/.ssh/id_ed25519.pub).',
      );
    }
    if (/[\r\n]/.test(value)) {
      return fail(
        'Paste exactly one SSH public key, on one line. To authorise several keys, add them with #cloud-config ssh_authorized_keys.',
      );
    }
    const [type = '', blob = ''] = value.split(/\s+/);
    if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) {
      return fail(
        `An SSH public key starts with its type (${SSH_KEY_TYPES.slice(0, 5).join(', ')} or sk-…), e.g. "ssh-ed25519 AAAAC3… me@laptop". Paste the whole line of your .pub file.`,
      );
    }
    if (!blobNamesType(blob, type)) {
      return fail(
        `The ${type} key data is incomplete or damaged. Copy the whole line of your .pub file again.`,
      );
    }
  }),
);

// ---- efiBootloaderPath ----

const efiBootloaderPath = optionalText(
  'The EFI bootloader path',
  z.string().superRefine((value, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (CONTROL_CHAR.test(value)) {
      return fail('The EFI bootloader path must be on one line: remove the line breaks.');
    }
    if (!/^[\\/]/.test(value) || !/\.efi$/i.test(value)) {
      return fail(
        `The EFI bootloader path must be the full path of the .efi file in the image's EFI partition, starting with \\ and ending with .efi, e.g. ${EFI_PATH_EXAMPLE}.`,
      );
    }
  }),
);

// ---- acknowledgement ----

export const ACKNOWLEDGEMENT_MAX_LENGTH = 1000;

/**
 * Sent with an install that a check predicted would fail, once the operator chose "Install
 * anyway": the message OVH was predicted to answer. It is written to the audit log with the
 * install and never reaches OVH.
 */
const acknowledgement = z
  .strictObject(
    {
      predictedMessage: z
        .string({ error: 'acknowledgement.predictedMessage must be text.' })
        .trim()
        .min(
          1,
          'acknowledgement.predictedMessage must name the failure OVH was predicted to answer.',
        )
        .max(
          ACKNOWLEDGEMENT_MAX_LENGTH,
          `acknowledgement.predictedMessage must be at most ${ACKNOWLEDGEMENT_MAX_LENGTH} characters.`,
        )
        .refine((value) => !CONTROL_CHAR.test(value), {
          message:
            'acknowledgement.predictedMessage must be on one line, without control characters.',
        }),
    },
    { error: objectMessages('The acknowledgement', ['predictedMessage']) },
  )
  .optional();

// ---- the image fields, for other schemas that describe an image ----

/**
 * The rules of the fields that say which image to fetch and how, for the schemas that describe an
 * image without being the install form (the preflight request, the image library's versions).
 */
export const imageFieldRules = {
  imageURL,
  imageType,
  imageCheckSum,
  imageCheckSumType,
  efiBootloaderPath,
  httpHeaderName,
  httpHeaderValue,
  httpHeaders,
};

// ---- libraryImage ----

export const LIBRARY_IMAGE_ID_MAX_LENGTH = 100;

/**
 * The image library version the form was filled from. The BFF adds that version's stored HTTP
 * headers (whose values the browser never has) to the form before it checks or installs it.
 */
export const libraryImageRef = z.strictObject(
  {
    id: z
      .string({ error: 'libraryImage.id must be text: the id of a library image.' })
      .trim()
      .min(1, 'libraryImage.id must name a library image: pick the image again from the library.')
      .max(
        LIBRARY_IMAGE_ID_MAX_LENGTH,
        `libraryImage.id is longer than ${LIBRARY_IMAGE_ID_MAX_LENGTH} characters, so it names no library image. Pick the image again from the library.`,
      ),
    version: z
      .number({ error: 'libraryImage.version must be a version number, e.g. 1.' })
      .int('libraryImage.version must be a whole number, e.g. 1.')
      .min(1, 'libraryImage.version must be 1 or more: versions are numbered from 1.'),
  },
  { error: objectMessages('libraryImage', ['id', 'version']) },
);

// ---- the form ----

/**
 * The install form's fields, in the order the form shows them; `libraryImage`, last, is not shown:
 * it travels with a form the wizard filled from the image library.
 */
export const INSTALL_FORM_FIELDS = [
  'imageURL',
  'imageType',
  'imageCheckSum',
  'imageCheckSumType',
  'httpHeaders',
  'configDriveUserData',
  'configDriveMetadata',
  'customHostname',
  'sshKey',
  'efiBootloaderPath',
  'acknowledgement',
  'libraryImage',
] as const;

/** For an object: names its unknown keys and the accepted ones; any other issue is a wrong type. */
export function objectMessages(what: string, accepted: readonly string[]) {
  return (issue: z.core.$ZodRawIssue): string => {
    if (issue.code !== 'unrecognized_keys') {
      return `${what} must be an object with the fields ${accepted.join(', ')}.`;
    }
    const keys = issue.keys.map((key) => `"${key}"`).join(', ');
    return `${what} has unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}. Remove ${issue.keys.length > 1 ? 'them' : 'it'}; accepted fields: ${accepted.join(', ')}.`;
  };
}

const formShape = z.strictObject(
  {
    imageURL,
    imageType,
    imageCheckSum,
    imageCheckSumType,
    httpHeaders,
    configDriveUserData,
    configDriveMetadata,
    customHostname,
    sshKey,
    efiBootloaderPath,
    acknowledgement,
    libraryImage: libraryImageRef.optional(),
  },
  { error: objectMessages('The install form', INSTALL_FORM_FIELDS) },
);

type FormShapeOutput = z.output<typeof formShape>;

/**
 * Rules that span fields. They run even when single fields failed (so the operator sees every
 * problem at once), hence each check looks only at fields whose own rules passed, and at runtime
 * types rather than the declared ones.
 */
function crossFieldRules(route: InstallRoute) {
  return (form: FormShapeOutput, ctx: z.RefinementCtx): void => {
    checksumPairRule(form, ctx);
    httpHeaderNamesRule(form.httpHeaders, ctx);
    reportDuplicates(
      form.configDriveMetadata,
      'configDriveMetadata',
      'key',
      (key) => key,
      (key) => `The metadata key "${key}" is already used above. Keep one of them.`,
      ctx,
    );

    // Here rather than on the field: zod skips an optional field's checks when the key is absent.
    if (route === 'reinstall' && form.efiBootloaderPath === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['efiBootloaderPath'],
        message: `Enter the EFI bootloader path: OVH requires it for Bring Your Own Image on the reinstall route. Give the path of the .efi file inside your image's EFI partition, e.g. ${EFI_PATH_EXAMPLE}.`,
      });
    }
  };
}

/**
 * The checksum and its type go together, and the checksum has the type's length. Looks at runtime
 * types, like every cross-field rule here: it runs even when the fields' own rules failed.
 */
export function checksumPairRule(
  form: { imageCheckSum?: unknown; imageCheckSumType?: unknown },
  ctx: z.RefinementCtx,
): void {
  const checksum = typeof form.imageCheckSum === 'string' ? form.imageCheckSum : undefined;
  const checksumIsHex = checksum !== undefined && HEX.test(checksum);
  const type = isChecksumType(form.imageCheckSumType) ? form.imageCheckSumType : undefined;

  if (checksum !== undefined && form.imageCheckSumType === undefined) {
    const inferred = checksumIsHex ? inferChecksumType(checksum) : undefined;
    ctx.addIssue({
      code: 'custom',
      path: ['imageCheckSumType'],
      message: `Choose the checksum type of your checksum${inferred ? ` (a ${checksum.length}-character checksum is ${inferred})` : ''}: OVH needs the checksum and its type together, or neither.`,
    });
  } else if (checksum === undefined && type !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['imageCheckSum'],
      message: `Enter the ${type} checksum of the image, or clear the checksum type: OVH needs the checksum and its type together, or neither.`,
    });
  } else if (checksumIsHex && type !== undefined) {
    const expected = CHECKSUM_HEX_LENGTH[type];
    if (checksum.length !== expected) {
      const inferred = inferChecksumType(checksum);
      ctx.addIssue({
        code: 'custom',
        path: ['imageCheckSum'],
        message: `A ${type} checksum has ${expected} hexadecimal characters but this one has ${checksum.length}${inferred ? ` (that is the length of ${inferred})` : ''}. Paste the ${type} checksum, or choose ${inferred ?? 'the matching'} checksum type.`,
      });
    }
  }
}

/** HTTP header names are case-insensitive: each may appear once. */
export function httpHeaderNamesRule(headers: unknown, ctx: z.RefinementCtx): void {
  reportDuplicates(
    headers,
    'httpHeaders',
    'name',
    (name) => name.toLowerCase(),
    (name) =>
      `The HTTP header "${name}" is already set above (names are case-insensitive). Keep one of them.`,
    ctx,
  );
}

function reportDuplicates(
  rows: unknown,
  field: string,
  column: string,
  identity: (name: string) => string,
  message: (name: string) => string,
  ctx: z.RefinementCtx,
): void {
  if (!Array.isArray(rows)) return;
  const seen = new Set<string>();
  rows.forEach((row: unknown, index) => {
    const name: unknown =
      typeof row === 'object' && row !== null
        ? (row as Record<string, unknown>)[column]
        : undefined;
    if (typeof name !== 'string' || name.trim() === '') return;
    const id = identity(name);
    if (seen.has(id)) {
      ctx.addIssue({ code: 'custom', path: [field, index, column], message: message(name) });
    }
    seen.add(id);
  });
}

/** The form as the given upstream route needs it (`reinstall` requires `efiBootloaderPath`). */
export function byoiFormSchemaFor(route: InstallRoute) {
  return formShape.superRefine(crossFieldRules(route), {
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  });
}

/** The form for the default route, `reinstall` (OVH's current one; it requires `efiBootloaderPath`). */
export const byoiFormSchema = byoiFormSchemaFor('reinstall');

export type ByoiForm = z.output<typeof byoiFormSchema>;
export type ByoiFormInput = z.input<typeof byoiFormSchema>;

/** Issues by field path (`httpHeaders.0.value`); issues about the whole form under `_form`. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length === 0 ? '_form' : issue.path.map(String).join('.');
    const messages = (result[key] ??= []);
    if (!messages.includes(issue.message)) messages.push(issue.message);
  }
  return result;
}
