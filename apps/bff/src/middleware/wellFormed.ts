/**
 * Refuses, before any route runs, a request that is not well-formed: no Host header (an HTTP/1.0
 * request may omit it; the console needs it to check a request's origin), or an address that
 * cannot be read — a malformed percent-encoding (`/api/servers/%ZZ`) or one that decodes to a
 * control character. Routes then only ever see paths that decode cleanly.
 */
import type { RequestHandler } from 'express';
import { serverNameProblem } from '@byoi/shared';
import { sendApiError } from '../apiError.ts';

const CONTROL_CHAR = /\p{Cc}/u;

/** Why a path cannot be used, or null when every segment decodes to printable text. */
export function pathProblem(path: string): string | null {
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return 'The address has a malformed percent-encoding (a % not followed by two hexadecimal digits, or bytes that are not UTF-8). Encode each part of the path with encodeURIComponent.';
    }
    if (CONTROL_CHAR.test(decoded)) {
      return 'The address decodes to a control character (e.g. %00 or %0A). Remove it: no name in this API contains one.';
    }
  }
  return null;
}

export const wellFormedRequest: RequestHandler = (req, res, next) => {
  if (!req.headers.host) {
    return sendApiError(
      res,
      400,
      'BAD_REQUEST',
      'The request has no Host header. Send HTTP/1.1 with a Host header naming the console, as browsers and HTTP clients do.',
    );
  }
  const problem = pathProblem(req.path);
  if (problem) return sendApiError(res, 400, 'BAD_REQUEST', problem);
  next();
};

/** `/servers/:sn/…`: a name OVH could not have issued is refused before any route asks OVH. */
export const validServerName: RequestHandler = (req, res, next) => {
  const sn = (req.params as Record<string, string | undefined>).sn ?? '';
  const problem = serverNameProblem(sn);
  if (problem) return sendApiError(res, 400, 'VALIDATION_FAILED', problem);
  next();
};
