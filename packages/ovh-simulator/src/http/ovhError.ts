/** OVH answers API errors as `{ class, message }`; authentication errors as `{ errorCode, httpCode, message }`. */
export type OvhErrorBody =
  { class: string; message: string } | { errorCode: string; httpCode: string; message: string };

/** Thrown by handlers; the HTTP layer turns it into the status and body OVH would send. */
export class OvhError extends Error {
  readonly status: number;
  readonly body: OvhErrorBody;

  constructor(status: number, body: OvhErrorBody) {
    super(body.message);
    this.name = 'OvhError';
    this.status = status;
    this.body = body;
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Error';
}

/** An API-layer error (`class` names as in OVH's OpenAPI examples). */
export function apiError(status: number, errorClass: string, message: string): OvhError {
  return new OvhError(status, { class: errorClass, message });
}

/** An authentication-layer error, e.g. `INVALID_SIGNATURE` → `400 Bad Request`. */
export function authError(status: number, errorCode: string, message: string): OvhError {
  return new OvhError(status, {
    errorCode,
    httpCode: `${status} ${reasonPhrase(status)}`,
    message,
  });
}

export const notFound = (what: string, value: string | number): OvhError =>
  apiError(404, 'Client::NotFound', `The requested object (${what} = ${value}) does not exist`);

export const badRequest = (message: string, errorClass = 'Client::BadRequest'): OvhError =>
  apiError(400, errorClass, message);
