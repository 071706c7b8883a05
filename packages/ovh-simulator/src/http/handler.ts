/**
 * The HTTP front door: `/1.0/*` is the OVH API (counted, delayed, faulted, routed, authenticated,
 * answered), `/_sim/*` the admin API for loopback clients. Like OVH, every answer outside the admin
 * API carries a fresh `X-Ovh-QueryID`, the id OVH support asks for.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { AdminHandler } from '../admin/routes.ts';
import type { FaultStore } from '../admin/faults.ts';
import { authenticate } from '../auth/authenticate.ts';
import type { CredentialStore } from '../auth/credentials.ts';
import { AnswerWithHeaders } from './answer.ts';
import { authError, apiError, OvhError, reasonPhrase } from './ovhError.ts';
import { NotFoundError } from '../errors.ts';
import type { OvhRoute } from '../ovh/routes.ts';
import type { SimulatorState } from '../state.ts';
import type { Router } from './router.ts';

export const API_PREFIX = '/1.0';
const ADMIN_PREFIX = '/_sim';
/** OVH refuses bodies this large long before; install bodies are a few KiB. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface HandlerDeps {
  state: SimulatorState;
  credentials: CredentialStore;
  faults: FaultStore;
  ovh: Router<OvhRoute>;
  admin: Router<AdminHandler>;
  /** How long every OVH API call takes to answer, from its arrival (see `answerDue`). */
  latencyMs: () => number;
  /** Told about every OVH API answer (not the admin API's), e.g. to check it against the OpenAPI file. */
  onResponse?: (exchange: ApiExchange) => void;
}

/** One OVH API answer as sent. */
export interface ApiExchange {
  method: string;
  /** Relative to `/1.0`, without the query. */
  path: string;
  status: number;
  body: unknown;
  /**
   * Response headers the route added besides `Content-Type` and `X-Ovh-QueryID`, e.g. a page's
   * `X-Pagination-Elements` (optional only so that an exchange can be written by hand).
   */
  headers?: Readonly<Record<string, string>>;
  /**
   * The `X-Ovh-QueryID` it carried: always set on what the simulator sends (optional only so that
   * an exchange can be written by hand, as the OpenAPI checker's tests do).
   */
  queryId?: string;
}

export const QUERY_ID_HEADER = 'X-Ovh-QueryID';

let queryCount = 0;

/**
 * An id in the shape of OVH's: region and gateway, the time in hex, a sequence number and a random
 * part, e.g. `EU.ext-3.66a1f2c3.42.8f3e…`. Fresh for every request, also across simulators.
 */
export function newQueryId(now = Date.now()): string {
  queryCount += 1;
  const gateway = 1 + (queryCount % 9);
  const seconds = Math.floor(now / 1000).toString(16);
  return `EU.ext-${gateway}.${seconds}.${queryCount}.${randomBytes(16).toString('hex')}`;
}

class BodyTooLarge extends Error {}

export function createRequestHandler(deps: HandlerDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = pathOnly(req.url);
    // The admin API is not OVH's: its answers carry no query id.
    const queryId = isAdminPath(requestUrl(req).pathname) ? undefined : newQueryId();
    handle(deps, req, res, queryId).catch((error: unknown) => {
      // Only a simulator bug lands here; the message never holds request headers or bodies.
      console.error(`[ovh-simulator] ${req.method ?? '?'} ${path}: ${String(error)}`);
      if (!res.headersSent) {
        send(
          res,
          500,
          { class: 'Server::InternalServerError', message: 'Internal server error' },
          queryId,
        );
      } else {
        res.destroy();
      }
    });
  };
}

function pathOnly(url: string | undefined): string {
  return (url ?? '/').split('?')[0] ?? '/';
}

function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'https://simulator.invalid');
}

function isAdminPath(pathname: string): boolean {
  return pathname === ADMIN_PREFIX || pathname.startsWith(`${ADMIN_PREFIX}/`);
}

async function handle(
  deps: HandlerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  queryId: string | undefined,
): Promise<void> {
  const rawPath = req.url ?? '/';
  const url = requestUrl(req);
  const method = (req.method ?? 'GET').toUpperCase();
  let body: string;
  try {
    body = await readBody(req);
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      send(
        res,
        413,
        {
          class: 'Client::BadRequest',
          message: `Request body larger than ${MAX_BODY_BYTES} bytes`,
        },
        queryId,
      );
      return;
    }
    throw error;
  }

  if (isAdminPath(url.pathname)) {
    handleAdmin(deps, req, res, method, url.pathname, body);
    return;
  }
  if (!url.pathname.startsWith(`${API_PREFIX}/`)) {
    send(
      res,
      404,
      { class: 'Client::NotFound', message: 'Got an invalid (or empty) URL' },
      queryId,
    );
    return;
  }
  const apiPath = url.pathname.slice(API_PREFIX.length);
  const reply = (
    status: number,
    answer: unknown,
    headers: Readonly<Record<string, string>> = {},
  ) => {
    send(res, status, answer, queryId, headers);
    deps.onResponse?.({ method, path: apiPath, status, body: answer ?? null, headers, queryId });
  };
  deps.state.countCall(method, apiPath);
  const due = answerDue(deps.latencyMs());

  const fault = deps.faults.take(method, apiPath);
  if (fault?.latencyMs) await delay(fault.latencyMs);
  if (fault?.drop) {
    await due();
    req.socket.destroy();
    return;
  }
  if (fault?.status) {
    const errorClass = fault.status >= 500 ? 'Server::InternalServerError' : 'Client::BadRequest';
    await due();
    reply(fault.status, {
      class: errorClass,
      message: `${reasonPhrase(fault.status)} (injected fault)`,
    });
    return;
  }

  let answer: unknown;
  try {
    answer = await answerOvh(deps, req, method, rawPath, apiPath, url.searchParams, body);
  } catch (error) {
    if (!(error instanceof OvhError)) throw error;
    await due();
    reply(error.status, error.body);
    return;
  }
  await due();
  if (answer instanceof AnswerWithHeaders) reply(200, answer.body, answer.headers);
  else reply(200, answer);
}

/**
 * The latency is how long OVH takes to answer a call, its own work included, as a client measures
 * it: the answer is worked out as the call arrives and sent once the latency has passed since
 * (at once when the work took longer). Waiting the whole latency and then working would count
 * the simulator's own work, which OVH does on its side, on top of every call's time.
 */
export function answerDue(latencyMs: number): () => Promise<void> {
  const arrived = performance.now();
  return async () => {
    const left = latencyMs - (performance.now() - arrived);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  };
}

async function answerOvh(
  deps: HandlerDeps,
  req: IncomingMessage,
  method: string,
  rawPath: string,
  apiPath: string,
  query: URLSearchParams,
  rawBody: string,
): Promise<unknown> {
  const match = deps.ovh.match(method, apiPath);
  if (match.kind === 'notFound')
    throw apiError(404, 'Client::NotFound', 'Got an invalid (or empty) URL');
  if (match.kind === 'methodNotAllowed') {
    throw apiError(
      405,
      'Client::MethodNotAllowed',
      `Received not described method '${method}' on path '${apiPath}'`,
    );
  }
  const route = match.handler;
  // Node lower-cases incoming header names; HTTP header names are case-insensitive.
  const header = (name: string): string | undefined => {
    const value = req.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  const applicationKey = header('x-ovh-application');
  let credential;
  if (route.auth === 'application') {
    if (!applicationKey || !deps.credentials.application(applicationKey)) {
      throw authError(403, 'INVALID_KEY', 'Invalid application key');
    }
  } else if (route.auth === 'signed') {
    credential = authenticate(
      { method, rawPath, apiPath, host: header('host') ?? '', body: rawBody, header },
      deps.credentials,
      Math.floor(Date.now() / 1000),
    );
  }
  let body: unknown = null;
  if (rawBody.trim() !== '') {
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw apiError(400, 'Client::BadRequest', 'Invalid JSON received');
    }
  }
  return await route.handle({
    params: match.params,
    query,
    header,
    body,
    origin: `https://${header('host') ?? 'localhost'}`,
    applicationKey,
    credential,
  });
}

/** The admin API answers only clients on this machine. */
export function isLoopback(address: string | undefined): boolean {
  return (
    address === '::1' ||
    address?.startsWith('127.') === true ||
    address?.startsWith('::ffff:127.') === true
  );
}

function handleAdmin(
  deps: HandlerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  path: string,
  rawBody: string,
): void {
  if (!isLoopback(req.socket.remoteAddress)) {
    send(res, 403, { error: 'The simulator admin API only answers loopback clients.' });
    return;
  }
  const match = deps.admin.match(method, path);
  if (match.kind !== 'found') {
    const message =
      match.kind === 'notFound'
        ? `No admin route ${path}; see the simulator README for /_sim routes.`
        : `${method} is not allowed on ${path}; use ${match.allowed.join(' or ')}.`;
    send(res, match.kind === 'notFound' ? 404 : 405, { error: message });
    return;
  }
  try {
    const body: unknown = rawBody.trim() === '' ? {} : JSON.parse(rawBody);
    const result = match.handler({ params: match.params, body });
    send(res, result.status ?? 200, result.body);
  } catch (error) {
    const status = error instanceof NotFoundError ? 404 : 400;
    const message =
      error instanceof SyntaxError
        ? `The body is not valid JSON: ${error.message}`
        : (error as Error).message;
    send(res, status, { error: message });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > MAX_BODY_BYTES) {
        req.pause();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * `queryId` is absent only for the admin API, which is not OVH's. A route's own `headers` come
 * first, so that they cannot replace the content headers or the query id.
 */
function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  queryId?: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...(queryId === undefined ? {} : { [QUERY_ID_HEADER]: queryId }),
  });
  res.end(text);
}
