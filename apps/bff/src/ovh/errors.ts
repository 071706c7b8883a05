/**
 * One error type for everything that can go wrong between the BFF and OVH. node-ovh rejects with
 * `{ error, message }` where `error` is an HTTP status, a negative errno, a string or an Error;
 * `normaliseOvhError` turns each of those (and our own timeout) into an `OvhError`, with OVH's
 * class and query id when the call's answer was traced (see answerTrace.ts).
 */
import { getSystemErrorName } from 'node:util';
import type { OvhAnswer } from './answerTrace.ts';
import { redactMessage } from '../redact.ts';

export type OvhErrorKind = 'http' | 'network' | 'timeout';

export class OvhError extends Error {
  /** The upstream HTTP status, or 0 when no HTTP answer arrived. */
  readonly status: number;
  /** OVH's error class, e.g. `Client::BadRequest::CustomizationInvalidFormat`. */
  readonly ovhClass: string | undefined;
  /** OVH's `X-Ovh-QueryID` of the failed call's answer, which OVH support asks for. */
  readonly queryId: string | undefined;
  readonly retryable: boolean;
  readonly kind: OvhErrorKind;
  /** The OVH access rule the failed call needs, e.g. "POST /dedicated/server/{sn}/install/start" with the name as `*`. */
  rule: string | undefined;

  constructor(init: {
    status: number;
    message: string;
    kind: OvhErrorKind;
    retryable: boolean;
    ovhClass?: string | undefined;
    queryId?: string | undefined;
  }) {
    // OVH's messages may quote the image URL, signed-URL token included: masked here, where they
    // enter the console, so no page, answer or log line shows it.
    super(redactMessage(init.message, Number.POSITIVE_INFINITY));
    this.name = 'OvhError';
    this.status = init.status;
    this.kind = init.kind;
    this.retryable = init.retryable;
    this.ovhClass = init.ovhClass;
    this.queryId = init.queryId;
  }
}

/** `answer`: what had arrived when the time ran out (e.g. the headers of a body that never ended). */
export function timeoutError(
  method: string,
  path: string,
  timeoutMs: number,
  answer?: OvhAnswer,
): OvhError {
  return new OvhError({
    status: 0,
    kind: 'timeout',
    retryable: true,
    queryId: answer?.queryId,
    message: `OVH API did not answer ${method} ${path} within ${timeoutMs} ms.`,
  });
}

function errnoName(errno: number): string {
  try {
    return getSystemErrorName(errno);
  } catch {
    return `errno ${errno}`;
  }
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);

function networkError(code: string, detail?: string, queryId?: string): OvhError {
  const timeout = TIMEOUT_CODES.has(code);
  return new OvhError({
    status: 0,
    kind: timeout ? 'timeout' : 'network',
    retryable: true,
    queryId,
    message: `OVH API unreachable (${detail ?? code}).`,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Turns whatever node-ovh (or the code around it) rejected with into an `OvhError`. `answer` is
 * the traced answer of the same call: an HTTP failure takes its class and query id only when its
 * status is the answer's (so they describe this failure); any other failure its query id, e.g. a
 * body node-ovh could not parse.
 */
export function normaliseOvhError(rejection: unknown, answer?: OvhAnswer): OvhError {
  if (rejection instanceof OvhError) return rejection;

  // node-ovh's shape is `{ error, message }`; anything else is treated as the `error` itself.
  const isEnvelope = isRecord(rejection) && !(rejection instanceof Error) && 'error' in rejection;
  const error: unknown = isEnvelope ? rejection.error : rejection;
  const upstreamMessage =
    isEnvelope && typeof rejection.message === 'string' && rejection.message.trim() !== ''
      ? rejection.message
      : undefined;
  const queryId = answer?.queryId;

  if (typeof error === 'number' && error >= 100 && error <= 599) {
    const same = answer?.status === error;
    return new OvhError({
      status: error,
      kind: 'http',
      retryable: error >= 500,
      ovhClass: same ? answer.ovhClass : undefined,
      queryId: same ? queryId : undefined,
      message: upstreamMessage ?? `OVH API answered HTTP ${error}.`,
    });
  }
  if (typeof error === 'number' && error < 0) {
    return networkError(errnoName(error), undefined, queryId);
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return networkError(code, `${code}: ${error.message}`, queryId);
    return networkError('error', error.message, queryId);
  }
  if (typeof error === 'string') {
    // node-ovh's own strings, e.g. "[OVH] Unable to fetch OVH API time" or "...parse JSON reponse".
    return networkError('error', error.replace(/^\[OVH\]\s*/, ''), queryId);
  }
  return networkError('error', 'unexpected failure', queryId);
}
