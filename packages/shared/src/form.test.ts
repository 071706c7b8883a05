import { describe, expect, it } from 'vitest';
import {
  CHECKSUM_HEX_LENGTH,
  CHECKSUM_TYPES,
  HOSTNAME_LABEL_MAX_LENGTH,
  HOSTNAME_MAX_LENGTH,
  MAX_HTTP_HEADERS,
  MAX_METADATA,
  USER_DATA_MAX_BYTES,
  byoiFormSchema,
  byoiFormSchemaFor,
  fieldErrorsOf,
  hostnameProblem,
  inferChecksumType,
  type ByoiForm,
} from './form.ts';

const ED25519 =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOh+OswUCGNKnRbVmxVadXypqUFAMM8iFZ2UJLYFMFER me@laptop';
const ECDSA384 =
  'ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBNhWs3YFmwydSUYnX44oXqRu6PnDMumpUHpuiNHcky760+Zz46RK5xKCOM/GIkFHgvELioiETipFgU54o7ETH5relOnAKnXsTXZAjzTJkQf9vWF6vSKdb5S5baOdWL28Iw== x';

const base = { imageURL: 'https://images.example.com/debian-12.qcow2', imageType: 'qcow2' };

function parse(
  input: Record<string, unknown>,
  route: 'install-start' | 'reinstall' = 'install-start',
) {
  return byoiFormSchemaFor(route).safeParse(input);
}

/** The field errors of a failing parse (fails the test when the parse passed). */
function errorsOf(input: Record<string, unknown>, route?: 'install-start' | 'reinstall') {
  const result = parse(input, route);
  if (result.success) throw new Error(`expected a failure, got ${JSON.stringify(result.data)}`);
  return fieldErrorsOf(result.error);
}

function ok(input: Record<string, unknown>, route?: 'install-start' | 'reinstall'): ByoiForm {
  const result = parse(input, route);
  if (!result.success) throw new Error(JSON.stringify(fieldErrorsOf(result.error)));
  return result.data;
}

describe('constants', () => {
  it('maps each checksum type to its hex length', () => {
    expect(CHECKSUM_HEX_LENGTH).toEqual({ md5: 32, sha1: 40, sha256: 64, sha512: 128 });
    expect(CHECKSUM_TYPES).toEqual(['md5', 'sha1', 'sha256', 'sha512']);
  });
});

describe('inferChecksumType', () => {
  it.each([
    [32, 'md5'],
    [40, 'sha1'],
    [64, 'sha256'],
    [128, 'sha512'],
  ] as const)('a %i-character hex checksum is %s', (length, type) => {
    expect(inferChecksumType('a'.repeat(length))).toBe(type);
  });

  it('trims and ignores case', () => {
    expect(inferChecksumType(`  ${'AbC0'.repeat(16)}\n`)).toBe('sha256');
  });

  it('returns undefined for non-hex text or an unknown length', () => {
    expect(inferChecksumType('z'.repeat(64))).toBeUndefined();
    expect(inferChecksumType('a'.repeat(63))).toBeUndefined();
    expect(inferChecksumType('')).toBeUndefined();
    expect(inferChecksumType(`${'a'.repeat(64)}  debian.qcow2`)).toBeUndefined();
  });
});

describe('imageURL', () => {
  it('accepts http and https URLs and trims them', () => {
    expect(ok({ ...base, imageURL: ' http://10.0.0.1:8080/a.raw ' }).imageURL).toBe(
      'http://10.0.0.1:8080/a.raw',
    );
    expect(ok(base).imageURL).toBe(base.imageURL);
  });

  it('is required', () => {
    expect(errorsOf({ imageType: 'raw' }).imageURL).toEqual(['The image URL must be text.']);
    expect(errorsOf({ ...base, imageURL: '   ' }).imageURL?.[0]).toMatch(/^Enter the image URL/);
  });

  it('refuses other schemes with the reason and the fix', () => {
    expect(errorsOf({ ...base, imageURL: 'ftp://host/a.raw' }).imageURL).toEqual([
      'The image URL must start with http:// or https://. FTP and local files are not supported: publish the image on a web server.',
    ]);
    expect(errorsOf({ ...base, imageURL: 'file:///srv/a.raw' }).imageURL?.[0]).toMatch(
      /must start with http:\/\/ or https:\/\//,
    );
  });

  it('refuses spaces inside the URL', () => {
    expect(errorsOf({ ...base, imageURL: 'https://host/my image.raw' }).imageURL?.[0]).toMatch(
      /contains a space.*%20/,
    );
  });

  it('needs a host', () => {
    expect(errorsOf({ ...base, imageURL: 'https:///a.raw' }).imageURL?.[0]).toMatch(
      /^The image URL has no host name\. Write it as http\(s\):\/\/host\/path/,
    );
    expect(errorsOf({ ...base, imageURL: 'https://' }).imageURL?.[0]).toMatch(/no host name/);
    expect(errorsOf({ ...base, imageURL: 'https://exa mple.com/' }).imageURL?.[0]).toMatch(/space/);
  });

  it('allows 2000 characters and no more', () => {
    const prefix = 'https://host/';
    const at = prefix + 'a'.repeat(2000 - prefix.length);
    expect(ok({ ...base, imageURL: at }).imageURL).toHaveLength(2000);
    expect(errorsOf({ ...base, imageURL: `${at}b` }).imageURL?.[0]).toMatch(
      /2001 characters long; OVH accepts at most 2000/,
    );
  });

  it('refuses user:pass@ and points to an HTTP header instead', () => {
    expect(errorsOf({ ...base, imageURL: 'https://me:secret@host/a.raw' }).imageURL?.[0]).toMatch(
      /user name or password.*HTTP header instead/,
    );
  });

  it('never echoes the URL credentials in the message', () => {
    const message = errorsOf({ ...base, imageURL: 'https://me:s3cr3t@host/a.raw' }).imageURL?.[0];
    expect(message).not.toContain('s3cr3t');
  });
});

describe('imageType', () => {
  it('accepts qcow2 and raw', () => {
    expect(ok({ ...base, imageType: 'raw' }).imageType).toBe('raw');
    expect(ok({ ...base, imageType: 'qcow2' }).imageType).toBe('qcow2');
  });

  it('refuses anything else, and a missing one', () => {
    const message =
      'Choose the image type: qcow2 or raw (OVH writes no other format; convert others with qemu-img).';
    expect(errorsOf({ ...base, imageType: 'iso' }).imageType).toEqual([message]);
    expect(errorsOf({ ...base, imageType: '' }).imageType).toEqual([message]);
    expect(errorsOf({ imageURL: base.imageURL }).imageType).toEqual([message]);
  });
});

describe('imageCheckSum and imageCheckSumType', () => {
  const sha256 = 'ab12'.repeat(16);

  it('trims, lower-cases and keeps a checksum with its type', () => {
    const form = ok({
      ...base,
      imageCheckSum: `  ${sha256.toUpperCase()} `,
      imageCheckSumType: 'sha256',
    });
    expect(form.imageCheckSum).toBe(sha256);
    expect(form.imageCheckSumType).toBe('sha256');
  });

  it('treats blank inputs and an unchosen type as absent', () => {
    const form = ok({ ...base, imageCheckSum: '   ', imageCheckSumType: '' });
    expect(form.imageCheckSum).toBeUndefined();
    expect(form.imageCheckSumType).toBeUndefined();
    expect('imageCheckSum' in form && form.imageCheckSum !== undefined).toBe(false);
  });

  it('accepts every checksum type at its length', () => {
    for (const type of CHECKSUM_TYPES) {
      const checksum = 'f'.repeat(CHECKSUM_HEX_LENGTH[type]);
      expect(
        ok({ ...base, imageCheckSum: checksum, imageCheckSumType: type }).imageCheckSumType,
      ).toBe(type);
    }
  });

  it('refuses non-hex characters', () => {
    expect(
      errorsOf({ ...base, imageCheckSum: 'g'.repeat(64), imageCheckSumType: 'sha256' })
        .imageCheckSum?.[0],
    ).toMatch(/only hexadecimal characters \(0-9, a-f\)/);
  });

  it('explains a pasted "checksum  filename" line', () => {
    expect(
      errorsOf({ ...base, imageCheckSum: `${sha256}  debian.qcow2`, imageCheckSumType: 'sha256' })
        .imageCheckSum?.[0],
    ).toMatch(/without the file name/);
  });

  it('refuses a length that does not match the type, naming the likely type', () => {
    const errors = errorsOf({
      ...base,
      imageCheckSum: 'a'.repeat(128),
      imageCheckSumType: 'sha256',
    });
    expect(errors.imageCheckSum).toEqual([
      'A sha256 checksum has 64 hexadecimal characters but this one has 128 (that is the length of sha512). Paste the sha256 checksum, or choose sha512 checksum type.',
    ]);
    expect(errors.imageCheckSumType).toBeUndefined();
  });

  it('requires the type when a checksum is given, on the imageCheckSumType field', () => {
    const errors = errorsOf({ ...base, imageCheckSum: sha256 });
    expect(errors.imageCheckSumType?.[0]).toMatch(/a 64-character checksum is sha256/);
    expect(errors.imageCheckSumType?.[0]).toMatch(/together, or neither/);
  });

  it('requires the checksum when a type is chosen, on the imageCheckSum field', () => {
    expect(errorsOf({ ...base, imageCheckSumType: 'md5' }).imageCheckSum).toEqual([
      'Enter the md5 checksum of the image, or clear the checksum type: OVH needs the checksum and its type together, or neither.',
    ]);
  });

  it('refuses an unknown checksum type and accepts any case of a known one', () => {
    expect(
      errorsOf({ ...base, imageCheckSum: sha256, imageCheckSumType: 'sha3' }).imageCheckSumType,
    ).toEqual(['Choose a checksum type OVH supports: md5, sha1, sha256 or sha512.']);
    expect(
      ok({ ...base, imageCheckSum: sha256, imageCheckSumType: 'SHA256' }).imageCheckSumType,
    ).toBe('sha256');
  });
});

describe('httpHeaders', () => {
  it('defaults to an empty list', () => {
    expect(ok(base).httpHeaders).toEqual([]);
  });

  it('accepts token names and trims them', () => {
    expect(
      ok({ ...base, httpHeaders: [{ name: ' X-Auth-Token ', value: 'abc' }] }).httpHeaders,
    ).toEqual([{ name: 'X-Auth-Token', value: 'abc' }]);
  });

  it('refuses a name that is not an HTTP token', () => {
    expect(
      errorsOf({ ...base, httpHeaders: [{ name: 'Auth: x', value: 'v' }] })[
        'httpHeaders.0.name'
      ]?.[0],
    ).toMatch(/only letters, digits/);
    expect(
      errorsOf({ ...base, httpHeaders: [{ name: '', value: 'v' }] })['httpHeaders.0.name']?.[0],
    ).toMatch(/Enter the HTTP header name/);
  });

  it('refuses CR/LF in a value, and an empty value', () => {
    expect(
      errorsOf({ ...base, httpHeaders: [{ name: 'A', value: 'x\r\nHost: evil' }] })[
        'httpHeaders.0.value'
      ],
    ).toEqual(['The HTTP header value must fit on one line: remove the line breaks.']);
    expect(
      errorsOf({ ...base, httpHeaders: [{ name: 'A', value: ' ' }] })['httpHeaders.0.value']?.[0],
    ).toMatch(/Enter the HTTP header value/);
  });

  it('refuses duplicate names case-insensitively, on the later row', () => {
    const errors = errorsOf({
      ...base,
      httpHeaders: [
        { name: 'Authorization', value: 'a' },
        { name: 'X-A', value: 'b' },
        { name: 'authorization', value: 'c' },
      ],
    });
    expect(Object.keys(errors)).toEqual(['httpHeaders.2.name']);
    expect(errors['httpHeaders.2.name']?.[0]).toMatch(/"authorization" is already set above/);
  });

  it(`allows ${MAX_HTTP_HEADERS} headers and no more`, () => {
    const headers = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ name: `X-H${i}`, value: 'v' }));
    expect(ok({ ...base, httpHeaders: headers(MAX_HTTP_HEADERS) }).httpHeaders).toHaveLength(10);
    expect(
      errorsOf({ ...base, httpHeaders: headers(MAX_HTTP_HEADERS + 1) }).httpHeaders?.[0],
    ).toMatch(/at most 10 HTTP headers/);
  });

  it('never echoes a header value in any message', () => {
    const errors = errorsOf({
      ...base,
      httpHeaders: [
        { name: 'Authorization', value: 'Bearer topsecret' },
        { name: 'authorization', value: 'Bearer topsecret' },
        { name: 'Bad Name', value: 'topsecret\n' },
      ],
    });
    expect(JSON.stringify(errors)).not.toContain('topsecret');
  });

  it('refuses unknown keys in a header row', () => {
    expect(
      errorsOf({ ...base, httpHeaders: [{ name: 'A', value: 'b', key: 'c' }] })[
        'httpHeaders.0'
      ]?.[0],
    ).toMatch(/unknown field "key"/);
  });
});

describe('configDriveUserData', () => {
  it('accepts a #! script verbatim (no trimming)', () => {
    const script = '#!/bin/bash\necho "Hi" > /etc/motd\n';
    expect(ok({ ...base, configDriveUserData: script }).configDriveUserData).toBe(script);
  });

  it('accepts #cloud-config with a YAML mapping', () => {
    const config = '#cloud-config\npackages:\n  - htop\nhostname: web1\n';
    expect(ok({ ...base, configDriveUserData: config }).configDriveUserData).toBe(config);
  });

  it('treats whitespace-only user data as absent', () => {
    expect(ok({ ...base, configDriveUserData: ' \n ' }).configDriveUserData).toBeUndefined();
  });

  it('refuses text without a #cloud-config or #! header', () => {
    expect(errorsOf({ ...base, configDriveUserData: 'echo hi' }).configDriveUserData?.[0]).toMatch(
      /must start with #cloud-config .* or #!/,
    );
    expect(
      errorsOf({ ...base, configDriveUserData: ' #!/bin/sh\n' }).configDriveUserData?.[0],
    ).toMatch(/very first line/);
  });

  it('reports a YAML error with its line number', () => {
    const message = errorsOf({
      ...base,
      configDriveUserData: '#cloud-config\npackages:\n  - htop\n users: [\n',
    }).configDriveUserData?.[0];
    expect(message).toMatch(/^The #cloud-config YAML is invalid at line 4: /);
  });

  it('refuses #cloud-config that is not a mapping', () => {
    expect(
      errorsOf({ ...base, configDriveUserData: '#cloud-config\n- a\n- b\n' })
        .configDriveUserData?.[0],
    ).toMatch(/must be a mapping/);
  });

  it(`allows ${USER_DATA_MAX_BYTES} UTF-8 bytes and no more`, () => {
    const header = '#!/bin/sh\n';
    const fits = header + '#'.repeat(USER_DATA_MAX_BYTES - header.length);
    expect(ok({ ...base, configDriveUserData: fits }).configDriveUserData).toHaveLength(65536);
    // 'é' is one character but two bytes: the limit counts bytes.
    const tooBig = header + 'é'.repeat((USER_DATA_MAX_BYTES - header.length) / 2 + 1);
    expect(errorsOf({ ...base, configDriveUserData: tooBig }).configDriveUserData?.[0]).toMatch(
      /is 65538 bytes; the limit is 64 KiB/,
    );
  });
});

describe('configDriveMetadata', () => {
  it('accepts key/value pairs and defaults to an empty list', () => {
    expect(ok(base).configDriveMetadata).toEqual([]);
    expect(
      ok({ ...base, configDriveMetadata: [{ key: 'role', value: 'web servers' }] })
        .configDriveMetadata,
    ).toEqual([{ key: 'role', value: 'web servers' }]);
  });

  it('refuses keys outside [A-Za-z0-9-]{1,256}', () => {
    expect(
      errorsOf({ ...base, configDriveMetadata: [{ key: 'my_key', value: 'v' }] })[
        'configDriveMetadata.0.key'
      ]?.[0],
    ).toMatch(/only letters, digits and hyphens/);
    expect(
      errorsOf({ ...base, configDriveMetadata: [{ key: 'a'.repeat(257), value: 'v' }] })[
        'configDriveMetadata.0.key'
      ],
    ).toBeDefined();
    expect(
      ok({ ...base, configDriveMetadata: [{ key: 'a'.repeat(256), value: 'v' }] })
        .configDriveMetadata,
    ).toHaveLength(1);
  });

  it('refuses values over 2000 characters or with control characters', () => {
    expect(
      errorsOf({ ...base, configDriveMetadata: [{ key: 'k', value: 'v'.repeat(2001) }] })[
        'configDriveMetadata.0.value'
      ]?.[0],
    ).toMatch(/2001 characters long; the limit is 2000/);
    expect(
      errorsOf({ ...base, configDriveMetadata: [{ key: 'k', value: 'a\tb' }] })[
        'configDriveMetadata.0.value'
      ]?.[0],
    ).toMatch(/printable text/);
    expect(
      ok({ ...base, configDriveMetadata: [{ key: 'k', value: 'v'.repeat(2000) }] })
        .configDriveMetadata,
    ).toHaveLength(1);
  });

  it(`allows ${MAX_METADATA} entries and no more, and no duplicate keys`, () => {
    const entries = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(ok({ ...base, configDriveMetadata: entries(10) }).configDriveMetadata).toHaveLength(10);
    expect(
      errorsOf({ ...base, configDriveMetadata: entries(11) }).configDriveMetadata?.[0],
    ).toMatch(/at most 10 metadata entries/);
    expect(
      errorsOf({
        ...base,
        configDriveMetadata: [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
        ],
      })['configDriveMetadata.1.key']?.[0],
    ).toMatch(/"a" is already used above/);
  });
});

describe('customHostname', () => {
  it('accepts hostnames OVH accepts, and blank as absent', () => {
    expect(ok({ ...base, customHostname: 'myCustomBYOI' }).customHostname).toBe('myCustomBYOI');
    expect(ok({ ...base, customHostname: 'web-1.example.com' }).customHostname).toBe(
      'web-1.example.com',
    );
    expect(ok({ ...base, customHostname: 'mon-tux' }).customHostname).toBe('mon-tux');
    expect(ok({ ...base, customHostname: 'a.b2.c--d' }).customHostname).toBe('a.b2.c--d');
    expect(ok({ ...base, customHostname: '' }).customHostname).toBeUndefined();
  });

  it('refuses a label that starts with a digit (OVH: HostnameInvalidFormat), with a fix', () => {
    expect(errorsOf({ ...base, customHostname: '1web.example.com' }).customHostname).toEqual([
      'The hostname part "1web" starts with "1": OVH requires every part between dots to start with a letter. Put a letter first, e.g. "srv-1web".',
    ]);
    // Any label, not only the first one.
    expect(
      errorsOf({ ...base, customHostname: 'web.2024.example.com' }).customHostname?.[0],
    ).toMatch(/part "2024" starts with "2".*e\.g\. "srv-2024"/);
  });

  it('refuses a label that starts with a hyphen or ends with one, saying how to fix it', () => {
    expect(errorsOf({ ...base, customHostname: '-web.example.com' }).customHostname).toEqual([
      'The hostname part "-web" starts with "-": OVH requires every part between dots to start with a letter. Put a letter first, e.g. "srv-web".',
    ]);
    expect(errorsOf({ ...base, customHostname: 'web-.example.com' }).customHostname).toEqual([
      'The hostname part "web-" ends with a hyphen: every part between dots must end with a letter or a digit. Remove the trailing hyphen, e.g. "web".',
    ]);
    // No suggestion that would be refused too.
    expect(errorsOf({ ...base, customHostname: '1web-' }).customHostname?.[0]).toMatch(
      /e\.g\. "web1" rather than "1web"\.$/,
    );
  });

  it('refuses other characters and empty parts, and says which part', () => {
    expect(errorsOf({ ...base, customHostname: 'web_1.example.com' }).customHostname).toEqual([
      'The hostname part "web_1" is not valid: use only letters (a-z), digits and hyphens, with dots between the parts, e.g. web1.example.com.',
    ]);
    expect(errorsOf({ ...base, customHostname: 'wéb.example.com' }).customHostname?.[0]).toMatch(
      /part "wéb" is not valid/,
    );
    expect(errorsOf({ ...base, customHostname: 'web..example.com' }).customHostname?.[0]).toMatch(
      /empty part/,
    );
    expect(errorsOf({ ...base, customHostname: 'web.example.com.' }).customHostname?.[0]).toMatch(
      /empty part/,
    );
  });

  it('limits labels to 63 and the name to 253 characters', () => {
    expect(ok({ ...base, customHostname: `${'a'.repeat(63)}.com` }).customHostname).toBeDefined();
    expect(
      errorsOf({ ...base, customHostname: `${'a'.repeat(64)}.com` }).customHostname?.[0],
    ).toMatch(/64 characters long; each part between dots may have at most 63\. Shorten it\./);
    const at = [...Array.from({ length: 3 }, () => 'a'.repeat(63)), 'a'.repeat(61)].join('.');
    expect(at).toHaveLength(253);
    expect(ok({ ...base, customHostname: at }).customHostname).toBe(at);
    const long = Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.');
    expect(long).toHaveLength(255);
    expect(errorsOf({ ...base, customHostname: long }).customHostname?.[0]).toMatch(
      /255 characters long; the limit is 253/,
    );
  });
});

describe('hostnameProblem (the rule the simulator applies too)', () => {
  it.each([
    ['web1.example.com', null],
    ['1web', { kind: 'label', label: '1web', reason: 'start' }],
    ['-web', { kind: 'label', label: '-web', reason: 'start' }],
    ['web-', { kind: 'label', label: 'web-', reason: 'end' }],
    ['we_b', { kind: 'label', label: 'we_b', reason: 'characters' }],
    ['a..b', { kind: 'label', label: '', reason: 'empty' }],
    [`${'a'.repeat(64)}`, { kind: 'label', label: 'a'.repeat(64), reason: 'tooLong' }],
    ['a'.repeat(254), { kind: 'tooLong', length: 254, limit: HOSTNAME_MAX_LENGTH }],
  ] as const)('%s → %j', (hostname, problem) => {
    expect(hostnameProblem(hostname)).toEqual(problem);
  });

  it('uses the limits OVH names', () => {
    expect([HOSTNAME_MAX_LENGTH, HOSTNAME_LABEL_MAX_LENGTH]).toEqual([253, 63]);
  });
});

describe('sshKey', () => {
  it('accepts one OpenSSH public key of a supported type', () => {
    expect(ok({ ...base, sshKey: ` ${ED25519} ` }).sshKey).toBe(ED25519);
    expect(ok({ ...base, sshKey: ECDSA384 }).sshKey).toBe(ECDSA384);
  });

  it('refuses an unknown key type', () => {
    expect(errorsOf({ ...base, sshKey: 'ssh-dss AAAAB3NzaC1kc3MAAACBAP' }).sshKey?.[0]).toMatch(
      /starts with its type/,
    );
  });

  it('refuses key data that does not belong to the announced type', () => {
    // An ed25519 blob announced as ssh-rsa, and a truncated blob.
    expect(
      errorsOf({ ...base, sshKey: ED25519.replace('ssh-ed25519', 'ssh-rsa') }).sshKey?.[0],
    ).toMatch(/ssh-rsa key data is incomplete or damaged/);
    expect(errorsOf({ ...base, sshKey: 'ssh-ed25519 AAAA' }).sshKey?.[0]).toMatch(
      /incomplete or damaged/,
    );
  });

  it('refuses several keys and private keys', () => {
    expect(errorsOf({ ...base, sshKey: `${ED25519}\n${ECDSA384}` }).sshKey?.[0]).toMatch(
      /exactly one SSH public key/,
    );
    expect(
      errorsOf({
        ...base,
        sshKey:
          '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----',
      }).sshKey?.[0],
    ).toMatch(/private key: never share it/);
  });
});

describe('efiBootloaderPath', () => {
  const efi = '\\efi\\debian\\grubx64.efi';

  it('is optional for install-start and required for reinstall', () => {
    expect(ok(base).efiBootloaderPath).toBeUndefined();
    expect(errorsOf(base, 'reinstall').efiBootloaderPath).toEqual([
      "Enter the EFI bootloader path: OVH requires it for Bring Your Own Image on the reinstall route. Give the path of the .efi file inside your image's EFI partition, e.g. \\efi\\debian\\grubx64.efi.",
    ]);
    expect(
      errorsOf({ ...base, efiBootloaderPath: '  ' }, 'reinstall').efiBootloaderPath?.[0],
    ).toMatch(/requires it for Bring Your Own Image on the reinstall route/);
    expect(ok({ ...base, efiBootloaderPath: efi }, 'reinstall').efiBootloaderPath).toBe(efi);
  });

  it('must be a path ending in .efi', () => {
    expect(ok({ ...base, efiBootloaderPath: '/EFI/BOOT/BOOTX64.EFI' }).efiBootloaderPath).toBe(
      '/EFI/BOOT/BOOTX64.EFI',
    );
    expect(errorsOf({ ...base, efiBootloaderPath: 'grubx64' }).efiBootloaderPath?.[0]).toMatch(
      /starting with \\ and ending with \.efi, e\.g\. \\efi\\debian\\grubx64\.efi/,
    );
  });

  it('byoiFormSchema is the variant of the default route, reinstall', () => {
    expect(byoiFormSchema.safeParse(base).success).toBe(false);
    expect(fieldErrorsOf(byoiFormSchema.safeParse(base).error!).efiBootloaderPath?.[0]).toMatch(
      /requires it for Bring Your Own Image on the reinstall route/,
    );
    expect(byoiFormSchemaFor('install-start').safeParse(base).success).toBe(true);
    const withEfi = { ...base, efiBootloaderPath: efi };
    expect(byoiFormSchema.parse(withEfi)).toEqual(byoiFormSchemaFor('reinstall').parse(withEfi));
  });
});

describe('whole form', () => {
  it('refuses unknown fields, naming them', () => {
    expect(errorsOf({ ...base, imageUrl: 'x', foo: 1 })._form?.[0]).toMatch(
      /^The install form has unknown fields "imageUrl", "foo"\. Remove them; accepted fields: imageURL, imageType/,
    );
  });

  it('refuses a body that is not an object', () => {
    const result = byoiFormSchema.safeParse('imageURL=x');
    expect(result.success).toBe(false);
    expect(fieldErrorsOf(result.error!)._form?.[0]).toMatch(/must be an object/);
  });

  it('reports field and cross-field problems together', () => {
    const errors = errorsOf(
      {
        imageURL: 'ftp://x/a',
        imageType: 'iso',
        imageCheckSum: 'a'.repeat(64),
        httpHeaders: [
          { name: 'A', value: '1' },
          { name: 'a', value: '2' },
        ],
      },
      'reinstall',
    );
    expect(Object.keys(errors).sort()).toEqual(
      [
        'efiBootloaderPath',
        'httpHeaders.1.name',
        'imageCheckSumType',
        'imageType',
        'imageURL',
      ].sort(),
    );
  });

  it('is idempotent: a parsed form parses to itself', () => {
    const form = ok({
      ...base,
      imageCheckSum: 'AB'.repeat(16),
      imageCheckSumType: 'md5',
      httpHeaders: [{ name: 'A', value: 'b' }],
      customHostname: 'h',
      sshKey: ED25519,
    });
    expect(ok(form)).toEqual(form);
  });
});

describe('fieldErrorsOf', () => {
  it('joins paths with dots, puts root issues under _form and drops repeats', () => {
    const result = byoiFormSchemaFor('install-start').safeParse({
      imageURL: 'x',
      imageType: 'raw',
      httpHeaders: [{ name: 'A', value: '\n' }],
      extra: true,
    });
    expect(result.success).toBe(false);
    const errors = fieldErrorsOf(result.error!);
    expect(Object.keys(errors).sort()).toEqual(['_form', 'httpHeaders.0.value', 'imageURL']);
    for (const messages of Object.values(errors))
      expect(new Set(messages).size).toBe(messages.length);
  });
});

describe('acknowledgement', () => {
  const predicted = 'OVH will most likely answer: The image checksum does not match.';

  it('accepts the predicted message the operator acknowledged, trimmed', () => {
    expect(ok({ ...base, acknowledgement: { predictedMessage: `  ${predicted} ` } })).toMatchObject(
      {
        acknowledgement: { predictedMessage: predicted },
      },
    );
  });

  it('is optional and never reaches the payload', async () => {
    const { buildInstallPayload } = await import('./payload.ts');
    const form = ok({ ...base, acknowledgement: { predictedMessage: predicted } });
    expect(JSON.stringify(buildInstallPayload('install-start', form))).not.toContain('answer');
    expect(ok(base).acknowledgement).toBeUndefined();
  });

  it('refuses an empty, multi-line or overlong message and unknown fields, saying which', () => {
    expect(errorsOf({ ...base, acknowledgement: { predictedMessage: ' ' } })).toHaveProperty([
      'acknowledgement.predictedMessage',
    ]);
    expect(
      errorsOf({ ...base, acknowledgement: { predictedMessage: 'a\nb' } })[
        'acknowledgement.predictedMessage'
      ]?.[0],
    ).toMatch(/one line/);
    expect(
      errorsOf({ ...base, acknowledgement: { predictedMessage: 'x'.repeat(1001) } })[
        'acknowledgement.predictedMessage'
      ]?.[0],
    ).toMatch(/at most 1000/);
    expect(
      errorsOf({ ...base, acknowledgement: { predictedMessage: predicted, by: 'me' } })
        .acknowledgement?.[0],
    ).toMatch(/unknown field "by"/);
  });
});

describe('values that parsers or HTTP could read differently', () => {
  const url = (imageURL: string) => errorsOf({ ...base, imageURL }).imageURL?.[0] ?? '';

  it.each([
    ['a NUL', 'https://images.example.com/a\u0000.raw'],
    ['a DEL', 'https://images.example.com/a\u007f.raw'],
    ['a lone surrogate', 'https://images.example.com/a\ud800.raw'],
  ])('refuses an image URL with %s', (_what, imageURL) => {
    expect(url(imageURL)).toMatch(/control character or a broken Unicode character/);
  });

  it('refuses a backslash, which WHATWG reads as / and classic parsers as text', () => {
    expect(url('https://images.example.com\\@127.0.0.1/a.raw')).toMatch(/backslash/);
  });

  it.each([
    ['https://0x7f.1/a.raw', '127.0.0.1'],
    ['https://2130706433/a.raw', '127.0.0.1'],
    ['https://%31%32%37.0.0.1/a.raw', '127.0.0.1'],
  ])('refuses %s, whose host a URL parser rewrites (to %s)', (imageURL, parsed) => {
    expect(url(imageURL)).toContain(`read by URL parsers as "${parsed}"`);
  });

  it.each([
    'https://Images.Example.com/a.raw',
    'https://images.example.com:443/a.raw',
    'http://images.example.com:8080/a.raw',
    'https://[2001:db8::1]/a.raw',
    'https://bücher.example/a.raw',
    'https://192.0.2.10/a%20b.raw',
  ])('accepts %s', (imageURL) => {
    expect(ok({ ...base, imageURL }).imageURL).toBe(imageURL);
  });

  it.each([
    ['a NUL', 'a\u0000b', /control character/],
    ['an escape', 'a\u001bb', /control character/],
    ['an emoji', 'token-😀', /beyond Latin-1/],
  ])('refuses a header value with %s', (_what, value, message) => {
    expect(
      errorsOf({ ...base, httpHeaders: [{ name: 'Authorization', value }] })[
        'httpHeaders.0.value'
      ]?.[0],
    ).toMatch(message);
  });

  it('accepts a header value with a tab and Latin-1 text', () => {
    expect(
      ok({ ...base, httpHeaders: [{ name: 'X-Note', value: 'a\tcafé' }] }).httpHeaders[0]?.value,
    ).toBe('a\tcafé');
  });
});
