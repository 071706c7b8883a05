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

/** Where a 401 sends the operator; the app replaces it with an in-app navigation. */
let showSignIn: () => void = () => {
  const next = `${window.location.pathname}${window.location.search}`;
  window.location.assign(`/sign-in?next=${encodeURIComponent(next)}`);
};

export function setSignInHandler(handler: () => void): void {
  showSignIn = handler;
}

/** Shows sign-in once, however many calls fail together with 401. */
function redirectToSignIn(): void {
  if (redirectingToSignIn) return;
  redirectingToSignIn = true;
  showSignIn();
}

/** After a sign-in: the next 401 (an expired session) shows sign-in again. */
export function resetSignInRedirect(): void {
  redirectingToSignIn = false;
}

/** Request headers for the BFF: JSON, and on every write the CSRF cookie echoed back. */
export function apiHeaders(method: string, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (hasBody) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  return headers;
}

const NETWORK_MESSAGE =
  'The console could not reach its server. Check your connection and try again.';

export async function apiFetch(
  path: string,
  init: RequestInit & { method: string },
  { signInOn401 = true }: { signInOn401?: boolean } = {},
): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, { credentials: 'same-origin', ...init });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'NETWORK', NETWORK_MESSAGE);
  }
  if (response.status === 401 && signInOn401) redirectToSignIn();
  return response;
}

/** The error envelope of a failed answer as an `ApiError`, whatever the body was. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (isApiErrorBody(parsed)) {
    return new ApiError(
      response.status,
      parsed.error.code,
      parsed.error.message,
      parsed.error.details,
    );
  }
  return new ApiError(
    response.status,
    'BAD_RESPONSE',
    `The console's server answered ${response.status} ${response.statusText || ''}`.trim() +
      '. Try again in a moment.',
  );
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** False for the session calls, where a 401 is an answer (wrong password, signed out). */
  signInOn401?: boolean;
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers = { ...apiHeaders(method, options.body !== undefined), ...options.headers };
  const response = await apiFetch(
    path,
    {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    },
    { signInOn401: options.signInOn401 },
  );
  if (!response.ok) throw await errorFromResponse(response);
  const text = await response.text();
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(
      response.status,
      'BAD_RESPONSE',
      "The console's server sent an answer that is not JSON. Reload the page and try again.",
    );
  }
}
