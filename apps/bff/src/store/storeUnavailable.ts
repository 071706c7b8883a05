/**
 * The answer when the store does not answer (PostgreSQL down or unreachable): a 503 in the API's
 * envelope that says what could not be done. The driver's message goes to the log only.
 */
import type { Request } from 'express';
import { ApiError } from '../apiError.ts';

export const STORE_DOWN =
  'the console cannot reach its database right now. Try again in a minute; if it keeps happening, tell the administrator.';

export function storeUnavailable(req: Request, error: unknown, message: string): ApiError {
  if (error instanceof ApiError) return error;
  req.log?.error(
    { err: error instanceof Error ? { name: error.name, message: error.message } : String(error) },
    'the store did not answer',
  );
  return new ApiError(503, 'STORE_UNAVAILABLE', message);
}

/** SQLSTATE classes of a database that is gone or going: connection (08), shutdown (57P0x). */
const UNAVAILABLE_SQLSTATE = /^(08|57P0)/;
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * True for an error that says the store is out of reach rather than a query being wrong: the pool
 * could not connect, the connection dropped, the server is shutting down, or the pool timed out.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))
  ) {
    return true;
  }
  return /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|PGlite is closed/i.test(
    error.message,
  );
}
