/**
 * Password hashing with node:crypto's scrypt (a standard memory-hard KDF, built into Node), stored as
 * a PHC-like string `scrypt$N=32768,r=8,p=1$<salt b64>$<hash b64>` so the cost can be raised later
 * without invalidating existing hashes: verification reads the parameters from the string.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt baseline; about 100 ms per hash on one core. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 32768, r: 8, p: 1 };

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const PHC_PATTERN =
  /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

export class PasswordHashFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasswordHashFormatError';
  }
}

export interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

/** Parses and sanity-checks a stored hash; throws a message that says how to make a valid one. */
export function parsePasswordHash(phc: string): ParsedHash {
  const match = PHC_PATTERN.exec(phc);
  if (!match) {
    throw new PasswordHashFormatError(
      'is not a scrypt password hash (expected "scrypt$N=…,r=…,p=…$<salt>$<hash>"). ' +
        'Create one with: pnpm --filter @byoi/bff hash-password',
    );
  }
  const [, n, r, p, salt, hash] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  // N must be a power of two > 1 for scrypt; bounds keep a hostile file from exhausting memory.
  if (params.N < 2 || params.N > 2 ** 20 || (params.N & (params.N - 1)) !== 0) {
    throw new PasswordHashFormatError('has an invalid scrypt N (a power of two up to 1048576).');
  }
  if (params.r < 1 || params.r > 32 || params.p < 1 || params.p > 16) {
    throw new PasswordHashFormatError('has invalid scrypt r/p parameters (r 1–32, p 1–16).');
  }
  const saltBytes = Buffer.from(salt, 'base64');
  const hashBytes = Buffer.from(hash, 'base64');
  if (saltBytes.length < 8 || hashBytes.length < 16) {
    throw new PasswordHashFormatError('has a salt or hash that is too short.');
  }
  return { params, salt: saltBytes, hash: hashBytes };
}

function derive(
  password: string,
  salt: Buffer,
  params: ScryptParams,
  length: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem above 128·N·r, or Node refuses the default parameters.
    const maxmem = 128 * params.N * params.r * params.p + 32 * 1024 * 1024;
    scrypt(password.normalize('NFC'), salt, length, { ...params, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  if (password.length === 0) throw new Error('The password is empty.');
  const salt = randomBytes(SALT_LENGTH);
  const hash = await derive(password, salt, params, KEY_LENGTH);
  return `scrypt$N=${params.N},r=${params.r},p=${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Constant-time comparison of the derived key; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: ParsedHash): Promise<boolean> {
  const actual = await derive(password, stored.salt, stored.params, stored.hash.length);
  return timingSafeEqual(actual, stored.hash);
}
