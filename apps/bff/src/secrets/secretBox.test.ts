/**
 * Sealing header values: AES-256-GCM in the `v1.<iv>.<tag>.<data>` text form, bound to where the
 * value belongs, opened only with the same key; and where the key comes from.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { headerContext, isSealed, SecretBox, SecretOpenError } from './secretBox.ts';
import { loadSecretsKey, SECRETS_KEY_FILE } from './secretsKey.ts';

const key = randomBytes(32);
const box = new SecretBox(key);
const here = headerContext('img-1', 2, 'Authorization');
const value = 'Bearer s3cr3t-header-value';

describe('a sealed value', () => {
  it('is v1.<iv>.<tag>.<data> in base64url, with a fresh 96-bit IV each time', () => {
    const a = box.seal(value, here);
    const b = box.seal(value, here);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(isSealed(a)).toBe(true);
    expect(a).not.toBe(b);
    expect(a).not.toContain(value);
    expect(Buffer.from(a.split('.')[3] ?? '', 'base64url').toString('utf8')).not.toContain(
      's3cr3t',
    );
    expect(box.open(a, here)).toBe(value);
    expect(box.open(b, here)).toBe(value);
  });

  it('opens only where it was sealed: same image, version and header (any case)', () => {
    const sealed = box.seal(value, here);
    expect(box.open(sealed, headerContext('img-1', 2, 'authorization'))).toBe(value);
    for (const elsewhere of [
      headerContext('img-2', 2, 'Authorization'),
      headerContext('img-1', 3, 'Authorization'),
      headerContext('img-1', 2, 'X-Token'),
    ]) {
      expect(() => box.open(sealed, elsewhere)).toThrow(SecretOpenError);
    }
  });

  it('does not open with another key, nor once altered', () => {
    const sealed = box.seal(value, here);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, here)).toThrow(SecretOpenError);
    const [format, iv, tag, data = ''] = sealed.split('.');
    const flipped = Buffer.from(data, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() =>
      box.open([format, iv, tag, flipped.toString('base64url')].join('.'), here),
    ).toThrow(SecretOpenError);
    for (const damaged of ['', 'v2.a.b.c', 'v1.a.b', `v1.${iv}.AAAA.${data}`, value]) {
      expect(() => box.open(damaged, here), damaged).toThrow(SecretOpenError);
    }
  });

  it('never shows the key or the value in an error', () => {
    const sealed = box.seal(value, here);
    const error = (() => {
      try {
        return new SecretBox(randomBytes(32)).open(sealed, here);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SecretOpenError);
    expect(String(error)).not.toContain(value);
    expect(String(error)).not.toContain(key.toString('base64'));
  });
});

describe('the key', () => {
  it('has a fingerprint that tells keys apart and reveals nothing of them', () => {
    expect(new SecretBox(key).fingerprint).toBe(box.fingerprint);
    expect(new SecretBox(randomBytes(32)).fingerprint).not.toBe(box.fingerprint);
    expect(box.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(box.fingerprint).not.toContain(key.toString('hex'));
  });

  it('stays out of logs and JSON', () => {
    expect(JSON.stringify(box)).not.toContain(key.toString('base64'));
    expect(inspect(box, { showHidden: true, depth: 5 })).not.toContain(key.toString('hex'));
  });

  it('must be 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('where the key comes from', () => {
  const dir = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'byoi-secrets-')), 'data');

  it('is SECRETS_KEY when set, in either mode', () => {
    const dataDir = dir();
    for (const mode of ['real', 'simulator'] as const) {
      const loaded = loadSecretsKey({ mode, secretsKey: key, dataDir });
      expect(loaded).toMatchObject({ source: 'SECRETS_KEY' });
      expect(loaded.key?.equals(key)).toBe(true);
    }
  });

  it('is made once in simulator mode and kept in DATA_DIR/secrets.key, mode 0600', () => {
    const dataDir = dir();
    const first = loadSecretsKey({ mode: 'simulator', secretsKey: undefined, dataDir });
    const file = path.join(dataDir, SECRETS_KEY_FILE);
    expect(first).toMatchObject({ source: 'DATA_DIR', file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A restart finds the same key.
    const again = loadSecretsKey({ mode: 'simulator', secretsKey: undefined, dataDir });
    expect(again.key?.equals(first.key ?? Buffer.alloc(0))).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.key?.toString('base64url'));
  });

  it('is none in real mode without SECRETS_KEY', () => {
    const dataDir = dir();
    expect(loadSecretsKey({ mode: 'real', secretsKey: undefined, dataDir })).toEqual({
      source: 'none',
      key: undefined,
    });
  });

  it('says so when the key file is damaged, without using it', () => {
    const dataDir = dir();
    loadSecretsKey({ mode: 'simulator', secretsKey: undefined, dataDir });
    writeFileSync(path.join(dataDir, SECRETS_KEY_FILE), 'not a key\n');
    const loaded = loadSecretsKey({ mode: 'simulator', secretsKey: undefined, dataDir });
    expect(loaded.key).toBeUndefined();
    expect(loaded).toMatchObject({
      problem: expect.stringMatching(/Restore it from its backup, or set SECRETS_KEY/),
    });
  });
});
