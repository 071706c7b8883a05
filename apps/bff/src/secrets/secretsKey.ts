/**
 * Which key seals the image library's header values: SECRETS_KEY when set; in simulator mode
 * without it, a key made once and kept in `DATA_DIR/secrets.key` (mode 0600), so stored values
 * survive restarts; in real mode without it, none (values cannot be stored).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SECRETS_KEY_BYTES } from './secretBox.ts';

export const SECRETS_KEY_FILE = 'secrets.key';

export type SecretsKeySource = 'SECRETS_KEY' | 'DATA_DIR' | 'none';

export interface SecretsKeySettings {
  mode: 'real' | 'simulator';
  secretsKey: Buffer | undefined;
  dataDir: string;
}

export type LoadedSecretsKey =
  | { source: 'SECRETS_KEY' | 'DATA_DIR'; key: Buffer; file?: string }
  | { source: 'none'; key: undefined; problem?: string };

/** The file's text: the key in base64url on one line. */
function readKeyFile(file: string): Buffer | null {
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  return key.length === SECRETS_KEY_BYTES ? key : null;
}

export function loadSecretsKey(settings: SecretsKeySettings): LoadedSecretsKey {
  if (settings.secretsKey !== undefined) return { source: 'SECRETS_KEY', key: settings.secretsKey };
  if (settings.mode === 'real') return { source: 'none', key: undefined };
  const file = path.join(settings.dataDir, SECRETS_KEY_FILE);
  mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${randomBytes(SECRETS_KEY_BYTES).toString('base64url')}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
  } catch (error) {
    // Already there (made by an earlier start, or by a replica on the same directory just now).
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const key = readKeyFile(file);
  if (key === null) {
    return {
      source: 'none',
      key: undefined,
      problem: `${file} does not hold a secrets key (${SECRETS_KEY_BYTES} bytes in base64url). Restore it from its backup, or set SECRETS_KEY.`,
    };
  }
  return { source: 'DATA_DIR', key, file };
}
