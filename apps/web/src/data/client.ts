/**
 * The one HTTP client of the SPA: same-origin JSON calls to the BFF, its error envelope parsed into
 * `ApiError`, the CSRF cookie echoed on writes, and one redirect to sign-in on 401.
 */
import type { ApiErrorBody, ApiErrorCode } from '@byoi/shared';

export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode | 'NETWORK' | 'BAD_RESPONSE';
  readonly fieldErrors: Record<string, string[]>;
  readonly details: ApiErrorBody['error']['details'];

  constructor(
    status: number,
    code: ApiError['code'],
    message: string,
    details?: ApiErrorBody['error']['details'],
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.fieldErrors = details?.fieldErrors ?? {};
  }
}

const CSRF_COOKIE = 'byoi_csrf';
let redirectingToSignIn = false;

function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = value.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown; message?: unknown }).code === 'string' &&
    typeof (error as { code?: unknown; message?: unknown }).message === 'string'
  );
}

/** Sends the browser to sign-in once, however many calls fail together with 401. */
function redirectToSignIn(): void {
  if (redirectingToSignIn) return;
  redirectingToSignIn = true;
  const next = `${window.location.pathname}${window.location.search}`;
  window.location.assign(`/sign-in?next=${encodeURIComponent(next)}`);
}

/** Test hook: lets a test observe a second 401 redirect. */
export function resetSignInRedirect(): void {
  redirectingToSignIn = false;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(
      0,
      'NETWORK',
      'The console could not reach its server. Check your connection and try again.',
    );
  }

  if (response.status === 401) redirectToSignIn();

  const text = await response.text();
  let parsed: unknown = undefined;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }

  if (!response.ok) {
    if (isApiErrorBody(parsed)) {
      throw new ApiError(
        response.status,
        parsed.error.code,
        parsed.error.message,
        parsed.error.details,
      );
    }
    throw new ApiError(
      response.status,
      'BAD_RESPONSE',
      `The console's server answered ${response.status} ${response.statusText || ''}`.trim() +
        '. Try again in a moment.',
    );
  }
  if (text !== '' && parsed === undefined) {
    throw new ApiError(
      response.status,
      'BAD_RESPONSE',
      "The console's server sent an answer that is not JSON. Reload the page and try again.",
    );
  }
  return parsed as T;
}
