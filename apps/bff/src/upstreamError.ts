/**
 * OVH failures keep their meaning at the BFF's edge: a 400 stays a 400 with OVH's words, a missing
 * access rule is named, and an unreachable OVH is a 502/503/504 — never a 500.
 */
import { explainUpstreamMessage, UNKNOWN_CODE } from '@byoi/shared';
import { ApiError, type ApiErrorDetails } from './apiError.ts';
import type { OvhError } from './ovh/errors.ts';

const TOKEN_PAGE = 'https://eu.api.ovh.com/createToken/';
/** OVH's TaskAlreadyExists: another task (e.g. an install started elsewhere) holds the server. */
const TASK_ALREADY_RUNNING = /is already running on server/i;
const INVALID_CREDENTIAL =
  /credential (is not valid|does not exist)|invalid credential|must login first/i;

/** OVH's words and references, for an answer that came from OVH. */
/** OVH's text as a sentence, so that a remedy can follow it (some of OVH's messages end bare). */
function asSentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

function ovhDetails(error: OvhError): ApiErrorDetails {
  return {
    ovhMessage: error.message,
    ...(error.ovhClass ? { ovhClass: error.ovhClass } : {}),
    ...queryIdDetails(error),
  };
}

/** A failure worded by the console (timeout, network) still names OVH's query id when it had one. */
function queryIdDetails(error: OvhError): ApiErrorDetails | undefined {
  return error.queryId ? { ovhQueryId: error.queryId } : undefined;
}

export function apiErrorFromOvh(error: OvhError): ApiError {
  if (error.kind === 'timeout') {
    return new ApiError(
      504,
      'UPSTREAM_TIMEOUT',
      `OVH API unreachable: it did not answer in time (${error.message}) Try again in a moment.`,
      queryIdDetails(error),
    );
  }
  if (error.kind === 'network') {
    return new ApiError(
      502,
      'UPSTREAM_UNAVAILABLE',
      `${error.message} Try again in a moment; if it persists, check that this console can reach the OVH API.`,
      queryIdDetails(error),
    );
  }

  const status = error.status;
  if (status === 400 && TASK_ALREADY_RUNNING.test(error.message)) {
    // The BFF refuses a second install itself; this is the race where one started elsewhere
    // (the Control Panel, another replica) between that check and the call.
    return new ApiError(
      409,
      'INSTALL_IN_PROGRESS',
      `OVH refused the install because a task is already running on the server ("${error.message}"). Wait for it to finish or cancel it, then try again.`,
      ovhDetails(error),
    );
  }
  if (status === 400) {
    const entry = explainUpstreamMessage(error.message);
    const message =
      entry.code === UNKNOWN_CODE ? error.message : `${asSentence(error.message)} ${entry.remedy}`;
    return new ApiError(400, 'UPSTREAM_BAD_REQUEST', message, ovhDetails(error));
  }
  // OVH answers 403 both for a call outside the token's rules and for a token that is not (or no
  // longer) valid; only the first is fixed by adding an access rule.
  if (status === 401 || (status === 403 && INVALID_CREDENTIAL.test(error.message))) {
    return new ApiError(
      403,
      'UPSTREAM_FORBIDDEN',
      `OVH refused this console's credentials ("${error.message}"). Ask the administrator to check OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET and OVH_CONSUMER_KEY, or to create a new token at ${TOKEN_PAGE}.`,
      ovhDetails(error),
    );
  }
  if (status === 403) {
    const rule = error.rule;
    const message = rule
      ? `The OVH token this console uses is not allowed to call ${rule} ("${error.message}"). Ask the administrator to request the access rule ${rule} for it at ${TOKEN_PAGE}.`
      : `OVH refused the call ("${error.message}"). Ask the administrator to check the access rules of the console's OVH token.`;
    return new ApiError(403, 'UPSTREAM_FORBIDDEN', message, {
      ...ovhDetails(error),
      ...(rule ? { missingRule: rule } : {}),
    });
  }
  if (status === 404) {
    return new ApiError(404, 'UPSTREAM_NOT_FOUND', error.message, ovhDetails(error));
  }
  if (status === 409) {
    const entry = explainUpstreamMessage(error.message);
    const message =
      entry.code === UNKNOWN_CODE ? error.message : `${asSentence(error.message)} ${entry.remedy}`;
    return new ApiError(409, 'UPSTREAM_CONFLICT', message, ovhDetails(error));
  }
  if (status === 460) {
    // OVH's "service expired": the server's subscription has lapsed, nothing can be installed.
    return new ApiError(
      409,
      'UPSTREAM_SERVICE_EXPIRED',
      `OVH says this server's service has expired ("${error.message}"): it accepts no install until it is renewed. Renew it in the OVHcloud Control Panel (Billing), then try again.`,
      ovhDetails(error),
    );
  }
  if (status === 503 || status === 429) {
    return new ApiError(
      503,
      'UPSTREAM_UNAVAILABLE',
      `OVH API unavailable: it answered HTTP ${status} ("${error.message}"). Try again in a moment.`,
      ovhDetails(error),
    );
  }
  if (status >= 500) {
    return new ApiError(
      502,
      'UPSTREAM_UNAVAILABLE',
      `OVH API unreachable: it answered HTTP ${status} ("${error.message}"). Try again in a moment.`,
      ovhDetails(error),
    );
  }
  return new ApiError(
    502,
    'UPSTREAM_BAD_REQUEST',
    `OVH API refused the request with HTTP ${status} ("${error.message}").`,
    ovhDetails(error),
  );
}
