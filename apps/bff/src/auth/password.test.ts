import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  parsePasswordHash,
  PasswordHashFormatError,
  verifyPassword,
} from './password.ts';
import { TEST_SCRYPT } from '../testing/users.ts';

describe('password hashing', () => {
  it('hashes to a PHC-like scrypt string with the default cost and verifies it', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$N=32768,r=8,p=1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    const parsed = parsePasswordHash(hash);
    expect(await verifyPassword('correct horse battery staple', parsed)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', parsed)).toBe(false);
  });

  it('salts every hash', async () => {
    const a = await hashPassword('same password', TEST_SCRYPT);
    const b = await hashPassword('same password', TEST_SCRYPT);
    expect(a).not.toBe(b);
  });

  it('reads the cost from the stored string, so older hashes keep working', async () => {
    const hash = await hashPassword('pw-12345', TEST_SCRYPT);
    expect(hash.startsWith('scrypt$N=1024,r=8,p=1$')).toBe(true);
    expect(await verifyPassword('pw-12345', parsePasswordHash(hash))).toBe(true);
  });

  it('treats canonically equivalent Unicode passwords alike', async () => {
    const parsed = parsePasswordHash(await hashPassword('caf\u00e9-pass', TEST_SCRYPT));
    expect(await verifyPassword('cafe\u0301-pass', parsed)).toBe(true);
  });

  it.each([
    ['plain text', 'hunter2'],
    ['bcrypt', '$2b$10$abcdefghijklmnopqrstuu1234567890123456789012345678901'],
    ['N not a power of two', 'scrypt$N=1000,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g='],
    ['N far too large', 'scrypt$N=4194304,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g='],
    ['short salt', 'scrypt$N=1024,r=8,p=1$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2g='],
  ])('rejects %s with a message saying how to make a hash', (_label, value) => {
    expect(() => parsePasswordHash(value)).toThrow(PasswordHashFormatError);
  });

  it('points to the hash-password command for a string that is not a hash', () => {
    expect(() => parsePasswordHash('hunter2')).toThrow(/pnpm --filter @byoi\/bff hash-password/);
  });

  it('refuses to hash an empty password', async () => {
    await expect(hashPassword('')).rejects.toThrow(/empty/);
  });
});
