import { ApiError } from '../apiError.ts';
import type { OvhApi } from '../ovh/api.ts';
import { OvhError } from '../ovh/errors.ts';
import type { DedicatedServer } from '../ovh/types.ts';

/**
 * The 404 of a server that is not in the account. Servers outside a user's name patterns answer
 * exactly the same (no OVH details), so the console never reveals which servers the account holds.
 */
export function serverNotFound(sn: string): ApiError {
  return new ApiError(
    404,
    'NOT_FOUND',
    `There is no server named "${sn}" in this OVH account. Check the name in the server list.`,
  );
}

/** The server's details, or a 404 that says which name was not found. */
export async function requireServer(ovh: OvhApi, sn: string): Promise<DedicatedServer> {
  try {
    return await ovh.getServer(sn);
  } catch (error) {
    if (error instanceof OvhError && error.status === 404) throw serverNotFound(sn);
    throw error;
  }
}
