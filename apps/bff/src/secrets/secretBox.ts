/**
 * Sealing a secret at rest with AES-256-GCM: a random 96-bit IV per value, the 128-bit tag, and
 * associated data naming what the value is (the image, version and header it belongs to), so a
 * sealed value copied onto another row does not open. Text form, base64url parts:
 * `v1.<iv>.<tag>.<ciphertext>`.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

export const SECRETS_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';
const FINGERPRINT_LABEL = 'byoi-console secrets key fingerprint v1';

/** A sealed value that does not open: another key, another context, or damaged text. */
export class SecretOpenError extends Error {
  override name = 'SecretOpenError';
}

/** The associated data of an image version's header value: the header name is case-insensitive. */
export function headerContext(imageId: string, version: number, headerName: string): string {
  return JSON.stringify(['image-header', imageId, version, headerName.toLowerCase()]);
}

export function isSealed(text: string): boolean {
  return text.startsWith(`${FORMAT}.`);
}

export class SecretBox {
  readonly #key: Buffer;
  /** HMAC of a constant under the key: tells two keys apart without revealing either. */
  readonly fingerprint: string;

  constructor(key: Buffer) {
    if (key.length !== SECRETS_KEY_BYTES) {
      throw new Error(`A secrets key has ${SECRETS_KEY_BYTES} bytes, not ${key.length}.`);
    }
    // A copy: the caller's buffer may be reused or zeroed.
    this.#key = Buffer.from(key);
    this.fingerprint = createHmac('sha256', this.#key).update(FINGERPRINT_LABEL).digest('hex');
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), data].map((part) => part.toString('base64url'));
    return [FORMAT, ...parts].join('.');
  }

  open(sealed: string, context: string): string {
    const [format, ...rest] = sealed.split('.');
    if (format !== FORMAT || rest.length !== 3) {
      throw new SecretOpenError(`The sealed value is not in the ${FORMAT} format.`);
    }
    const [iv, tag, data] = rest.map((part) => Buffer.from(part, 'base64url'));
    if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || data === undefined) {
      throw new SecretOpenError('The sealed value is damaged.');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretOpenError(
        'The sealed value does not open with this key in this place (another key, or it was moved).',
      );
    }
  }
}
