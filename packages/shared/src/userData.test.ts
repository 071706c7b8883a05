import { describe, expect, it } from 'vitest';
import {
  checkCloudConfig,
  decodeUserData,
  detectUserDataKind,
  encodeUserData,
  utf8ByteLength,
} from './userData.ts';

describe('detectUserDataKind', () => {
  it.each([
    ['', 'empty'],
    [' \n\t', 'empty'],
    ['#cloud-config\nhostname: a\n', 'cloud-config'],
    ['#!/bin/bash\necho hi\n', 'script'],
    ['echo hi', 'unknown'],
    [' #!/bin/bash', 'unknown'],
  ] as const)('%j is %s', (text, kind) => {
    expect(detectUserDataKind(text)).toBe(kind);
  });
});

describe('checkCloudConfig', () => {
  it('accepts a YAML mapping', () => {
    expect(checkCloudConfig('#cloud-config\nusers:\n  - name: ops\n    groups: sudo\n')).toEqual({
      ok: true,
    });
  });

  it('gives the line of a YAML syntax error, counting the header as line 1', () => {
    const result = checkCloudConfig('#cloud-config\nhostname: a\npackages: [htop\nusers: []\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.line).toBe(4);
    expect(result.message).toMatch(/^The #cloud-config YAML is invalid at line 4: /);
    // yaml's own code excerpt stays out of the one-line message.
    expect(result.message).not.toContain('\n');
  });

  it('reports duplicate keys with their line', () => {
    const result = checkCloudConfig('#cloud-config\nhostname: a\nhostname: b\n');
    expect(result).toMatchObject({ ok: false, line: 3 });
  });

  it('refuses a list, a scalar and an empty document', () => {
    expect(checkCloudConfig('#cloud-config\n- a\n')).toMatchObject({
      ok: false,
      line: 2,
      message: expect.stringMatching(/must be a mapping/) as unknown,
    });
    expect(checkCloudConfig('#cloud-config\njust text\n')).toMatchObject({ ok: false });
    expect(checkCloudConfig('#cloud-config\n')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/has no settings/) as unknown,
    });
  });

  it('refuses text without the header', () => {
    expect(checkCloudConfig('hostname: a\n')).toMatchObject({ ok: false, line: 1 });
  });
});

describe('encodeUserData / decodeUserData', () => {
  const script = '#!/bin/bash\necho "Hi, sounds that BYOI is a success!" > /etc/motd\n';

  it('encodes UTF-8 text to base64 exactly as Node does', () => {
    expect(encodeUserData(script)).toBe(Buffer.from(script).toString('base64'));
    const unicode = '#cloud-config\nfinal_message: "Prêt ✓ 🚀"\n';
    expect(encodeUserData(unicode)).toBe(Buffer.from(unicode, 'utf8').toString('base64'));
  });

  it('decodes base64 of a script or cloud-config back to the text', () => {
    expect(decodeUserData(encodeUserData(script))).toBe(script);
    const unicode = '#cloud-config\nfinal_message: "Prêt ✓"\n';
    expect(decodeUserData(encodeUserData(unicode))).toBe(unicode);
  });

  it('keeps plain text as it is', () => {
    expect(decodeUserData(script)).toBe(script);
    expect(decodeUserData('#cloud-config\nhostname: a\n')).toBe('#cloud-config\nhostname: a\n');
  });

  it('keeps base64-looking text that does not decode to user data', () => {
    // Valid base64 of "hello world" (no header), and a word that happens to be base64.
    expect(decodeUserData('aGVsbG8gd29ybGQ=')).toBe('aGVsbG8gd29ybGQ=');
    expect(decodeUserData('abcd')).toBe('abcd');
    // Base64 of bytes that are not UTF-8.
    expect(decodeUserData(Buffer.from([0x23, 0x21, 0xff, 0xfe]).toString('base64'))).toBe(
      Buffer.from([0x23, 0x21, 0xff, 0xfe]).toString('base64'),
    );
  });

  it('accepts base64 wrapped over several lines', () => {
    const wrapped = encodeUserData(script).replace(/(.{20})/g, '$1\n');
    expect(decodeUserData(wrapped)).toBe(script);
  });
});

describe('utf8ByteLength', () => {
  it('counts bytes, not characters', () => {
    expect(utf8ByteLength('abc')).toBe(3);
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('🚀')).toBe(4);
  });
});
