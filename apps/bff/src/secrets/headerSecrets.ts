/**
 * The image library's header values at rest: sealed with the console's secrets key, and only with
 * the key they were first sealed with. The store keeps that key's fingerprint (`store_meta`), so a
 * console started with another key refuses to use or add values, saying how to fix it, instead of
 * failing to open them one by one. No value, sealed or not, appears in any message.
 */
import { ApiError } from '../apiError.ts';
import type { Store } from '../store/store.ts';
import { SecretBox, SecretOpenError } from './secretBox.ts';
import { loadSecretsKey, type LoadedSecretsKey, type SecretsKeySettings } from './secretsKey.ts';

export const KEY_FINGERPRINT_META = 'secrets_key_fingerprint';

/** Storing values, or using the stored ones. */
export type SecretsPurpose = 'store' | 'use';

const SET_SECRETS_KEY =
  'set SECRETS_KEY to 32 random bytes (e.g. the output of `openssl rand -base64 32`), the same on every replica, and restart the console';

/** Short enough to read out, long enough to tell two keys apart. */
const short = (fingerprint: string) => fingerprint.slice(0, 12);

export class HeaderSecrets {
  readonly #settings: SecretsKeySettings;
  readonly #store: Store;
  #loaded: LoadedSecretsKey | undefined;
  #box: SecretBox | null = null;
  /** Set once the store's fingerprint is known to be this key's. */
  #verified = false;

  constructor(store: Store, settings: SecretsKeySettings) {
    this.#store = store;
    this.#settings = settings;
  }

  #key(): LoadedSecretsKey {
    if (this.#loaded === undefined) {
      try {
        this.#loaded = loadSecretsKey(this.#settings);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        this.#loaded = {
          source: 'none',
          key: undefined,
          problem: `The secrets key file in ${this.#settings.dataDir} could not be read or made${code ? ` (${code})` : ''}: check that directory's permissions, or set SECRETS_KEY.`,
        };
      }
      if (this.#loaded.key) this.#box = new SecretBox(this.#loaded.key);
    }
    return this.#loaded;
  }

  async #storedFingerprint(): Promise<string | undefined> {
    const row = await this.#store.db
      .selectFrom('store_meta')
      .select('value')
      .where('key', '=', KEY_FINGERPRINT_META)
      .executeTakeFirst();
    return row?.value;
  }

  #missing(purpose: SecretsPurpose, problem: string | undefined): ApiError {
    if (problem !== undefined) {
      return new ApiError(
        503,
        'SECRETS_KEY_MISSING',
        `The image library's header values cannot be ${purpose === 'store' ? 'stored' : 'used'}: ${problem}`,
      );
    }
    return purpose === 'store'
      ? new ApiError(
          400,
          'SECRETS_KEY_MISSING',
          `This console cannot store HTTP header values: it runs with OVH credentials and SECRETS_KEY is not set, so they could not be kept encrypted. Save the version without header values, or ask the administrator to ${SET_SECRETS_KEY}.`,
        )
      : new ApiError(
          503,
          'SECRETS_KEY_MISSING',
          `The image library's stored HTTP header values are encrypted, and SECRETS_KEY is not set. Ask the administrator to set SECRETS_KEY to the key they were stored with, on every replica, and restart the console; or re-enter the header values.`,
        );
  }

  #mismatch(stored: string, mine: string): ApiError {
    const file =
      this.#key().source === 'DATA_DIR' ? ' (or restore DATA_DIR/secrets.key from its backup)' : '';
    return new ApiError(
      503,
      'SECRETS_KEY_MISMATCH',
      `The image library's stored HTTP header values were encrypted with another secrets key (fingerprint ${short(stored)}) than this console's (${short(mine)}), so they cannot be used and no new ones are stored. Ask the administrator to start the console with the SECRETS_KEY they were stored with${file}, the same on every replica. Images without header values still work.`,
    );
  }

  /**
   * The box to seal or open header values with, once the store agrees it is the right key; the
   * first value stored records the key's fingerprint. Throws the refusal (an ApiError) otherwise.
   * Call it before a transaction: it reads the store itself.
   */
  async box(purpose: SecretsPurpose): Promise<SecretBox> {
    const loaded = this.#key();
    const box = this.#box;
    if (box === null)
      throw this.#missing(purpose, loaded.source === 'none' ? loaded.problem : undefined);
    if (this.#verified) return box;
    let stored = await this.#storedFingerprint();
    if (stored === undefined && purpose === 'store') {
      await this.#store.db
        .insertInto('store_meta')
        .values({ key: KEY_FINGERPRINT_META, value: box.fingerprint })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      // Another replica may have recorded its key first: what is stored now is the rule.
      stored = await this.#storedFingerprint();
    }
    if (stored !== undefined && stored !== box.fingerprint)
      throw this.#mismatch(stored, box.fingerprint);
    if (stored !== undefined) this.#verified = true;
    return box;
  }

  /** Opens a stored value; one that does not open (another key, a moved row) is the key refusal. */
  open(box: SecretBox, sealed: string, context: string): string {
    try {
      return box.open(sealed, context);
    } catch (error) {
      if (!(error instanceof SecretOpenError)) throw error;
      throw new ApiError(
        503,
        'SECRETS_KEY_MISMATCH',
        `A stored HTTP header value of the image library does not open with this console's secrets key. Ask the administrator to start the console with the SECRETS_KEY it was stored with, or re-enter the header values in a new version.`,
      );
    }
  }

  /**
   * What an operator must know at start, when there is something: stored values this console
   * cannot open. Null when all is well (or nothing is stored yet).
   */
  async startupWarning(): Promise<string | null> {
    const stored = await this.#storedFingerprint();
    if (stored === undefined) return null;
    try {
      await this.box('use');
      return null;
    } catch (error) {
      if (error instanceof ApiError) return error.message;
      throw error;
    }
  }
}
