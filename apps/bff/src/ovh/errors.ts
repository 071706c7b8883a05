/**
 * One error type for everything that can go wrong between the BFF and OVH. node-ovh rejects with
 * `{ error, message }` where `error` is an HTTP status, a negative errno, a string or an Error;
 * `normaliseOvhError` turns each of those (and our own timeout) into an `OvhError`.
 */
import { getSystemErrorName } from 'node:util';

export type OvhErrorKind = 'http' | 'network' | 'timeout';

export class OvhError extends Error {
  /** The upstream HTTP status, or 0 when no HTTP answer arrived. */
  readonly status: number;
  readonly ovhClass: string | undefined;
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
  }) {
    super(init.message);
    this.name = 'OvhError';
    this.status = init.status;
    this.kind = init.kind;
    this.retryable = init.retryable;
    this.ovhClass = init.ovhClass;
  }
}

export function timeoutError(method: string, path: string, timeoutMs: number): OvhError {
  return new OvhError({
    status: 0,
    kind: 'timeout',
    retryable: true,
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

function networkError(code: string, detail?: string): OvhError {
  const timeout = TIMEOUT_CODES.has(code);
  return new OvhError({
    status: 0,
    kind: timeout ? 'timeout' : 'network',
    retryable: true,
    message: `OVH API unreachable (${detail ?? code}).`,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Turns whatever node-ovh (or the code around it) rejected with into an `OvhError`. */
export function normaliseOvhError(rejection: unknown): OvhError {
  if (rejection instanceof OvhError) return rejection;

  // node-ovh's shape is `{ error, message }`; anything else is treated as the `error` itself.
  const isEnvelope = isRecord(rejection) && !(rejection instanceof Error) && 'error' in rejection;
  const error: unknown = isEnvelope ? rejection.error : rejection;
  const upstreamMessage =
    isEnvelope && typeof rejection.message === 'string' && rejection.message.trim() !== ''
      ? rejection.message
      : undefined;
  const ovhClass = isEnvelope && typeof rejection.class === 'string' ? rejection.class : undefined;

  if (typeof error === 'number' && error >= 100 && error <= 599) {
    return new OvhError({
      status: error,
      kind: 'http',
      retryable: error >= 500,
      ovhClass,
      message: upstreamMessage ?? `OVH API answered HTTP ${error}.`,
    });
  }
  if (typeof error === 'number' && error < 0) {
    return networkError(errnoName(error));
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return networkError(code, `${code}: ${error.message}`);
    return networkError('error', error.message);
  }
  if (typeof error === 'string') {
    // node-ovh's own strings, e.g. "[OVH] Unable to fetch OVH API time" or "...parse JSON reponse".
    return networkError('error', error.replace(/^\[OVH\]\s*/, ''));
  }
  return networkError('error', 'unexpected failure');
}
