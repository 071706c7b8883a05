/**
 * A rollout's install form at rest. It must outlive the request that planned it (every server is
 * installed from it, possibly hours later, by any replica), and it may hold secrets: HTTP header
 * values and Config Drive user data. So it is sealed with the console's secrets key, bound to the
 * rollout's id. A console without a key (real mode, no SECRETS_KEY) keeps only forms without such
 * secrets, as JSON; one with secrets is refused before anything is stored.
 */
import type { ByoiForm } from '@byoi/shared';
import { ApiError } from '../apiError.ts';
import type { HeaderSecrets } from '../secrets/headerSecrets.ts';
import { isSealed } from '../secrets/secretBox.ts';

const context = (rolloutId: string) => `rollout:${rolloutId}:form`;

function holdsSecrets(form: ByoiForm): boolean {
  return (
    form.httpHeaders.some((header) => header.value !== '') || form.configDriveUserData !== undefined
  );
}

export async function sealForm(
  secrets: HeaderSecrets,
  rolloutId: string,
  form: ByoiForm,
): Promise<string> {
  const text = JSON.stringify(form);
  try {
    const box = await secrets.box('store');
    return box.seal(text, context(rolloutId));
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'SECRETS_KEY_MISSING') throw error;
    if (!holdsSecrets(form)) return text;
    throw new ApiError(
      400,
      'SECRETS_KEY_MISSING',
      'This rollout carries HTTP header values or Config Drive user data, which the console must keep until every server is installed, and it runs without SECRETS_KEY, so it could not keep them encrypted. Use a library image whose headers are stored, leave out the user data, or ask the administrator to set SECRETS_KEY (32 random bytes, e.g. `openssl rand -base64 32`, the same on every replica) and restart the console. Nothing was stored.',
    );
  }
}

export async function openForm(
  secrets: HeaderSecrets,
  rolloutId: string,
  stored: string,
): Promise<ByoiForm> {
  if (!isSealed(stored)) return JSON.parse(stored) as ByoiForm;
  const box = await secrets.box('use');
  return JSON.parse(secrets.open(box, stored, context(rolloutId))) as ByoiForm;
}
