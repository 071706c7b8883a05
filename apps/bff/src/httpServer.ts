/**
 * The console's HTTP server, built so that Express's request and response objects are born with
 * their final prototypes.
 *
 * Express gives every request its app's prototypes (`app.request`, `app.response`) with
 * `Object.setPrototypeOf` as it enters the app. Objects whose prototype changes after creation
 * stop dying young in V8: measured on this machine at 1,000 req/s, almost every request's objects
 * survived the young-generation GC, whose pauses grew from ~0.4 ms to 5–14 ms every ~100 ms
 * (the p99 of a warm server page was 8–16 ms, its median under 1 ms). Node's `createServer` can
 * construct them from the start through its `IncomingMessage` and `ServerResponse` options; with
 * the prototype already in place, Express's `setPrototypeOf` changes nothing.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';

type RequestClass = typeof http.IncomingMessage;
type ResponseClass = typeof http.ServerResponse;

type NodeConstructor = RequestClass | ResponseClass;

/**
 * A constructor for Node's class whose instances have `prototype` as their prototype, or null when
 * this Node's class cannot be called that way.
 */
function bornWith<C extends NodeConstructor>(base: C, prototype: object): C | null {
  // Node's IncomingMessage and ServerResponse are ES5 constructor functions, so they can initialise
  // an object made by `new Born()`, as a subclass constructor's `super()` would. (Reflect.construct
  // with a new target also gives the right prototype, but measured no better than Express's own
  // setPrototypeOf.) Class constructors cannot be called this way.
  if (Function.prototype.toString.call(base).startsWith('class')) return null;
  const init = base as unknown as (this: object, ...args: unknown[]) => void;
  function Born(this: object, ...args: unknown[]): void {
    init.apply(this, args);
  }
  Born.prototype = prototype;
  // Node calls it with `new`, exactly as it would call `base`.
  return Born as unknown as C;
}

/** How long a client may take, so that slow or silent clients cannot hold connections. */
export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  checkIntervalMs: number;
  maxHeaderBytes: number;
}

export const SERVER_LIMITS: ServerLimits = {
  /** The request line and headers must arrive within this (Node's default: 60 s). */
  headersTimeoutMs: 10_000,
  /** The whole request, body included, within this (Node's default: 300 s). */
  requestTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: 5_000,
  /** How often Node checks the two timeouts above (its default, 30 s, would let them run late). */
  checkIntervalMs: 1_000,
  /** Request headers, in bytes, at most (Node's default, 16 KiB). */
  maxHeaderBytes: 16_384,
};

/** Node's parser errors → the status and the sentence the client gets. */
function clientErrorAnswer(
  code: string | undefined,
  limits: ServerLimits,
): [number, string, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [
        431,
        'Request Header Fields Too Large',
        `The request's headers are larger than ${limits.maxHeaderBytes / 1024} KiB. Send fewer or shorter headers (cookies included).`,
      ];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [
        408,
        'Request Timeout',
        `The request did not arrive in time: headers within ${limits.headersTimeoutMs / 1000} s, the whole request within ${limits.requestTimeoutMs / 1000} s. Send it again at once.`,
      ];
    default:
      return [
        400,
        'Bad Request',
        'The request is not valid HTTP/1.1 (a malformed request line or header, a missing Host header, or a character a header cannot hold). Send a well-formed request.',
      ];
  }
}

/**
 * Node answers a request it cannot parse by itself, with no body. This answers in the API's
 * envelope instead, so that even then the client learns what was wrong.
 */
function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Duplex,
  limits: ServerLimits,
): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, message] = clientErrorAnswer(error.code, limits);
  const body = JSON.stringify({ error: { code: 'BAD_REQUEST', message } });
  // Whatever the client is still sending is read and dropped (closing with unread bytes would
  // reset the connection and lose this answer on the way), for a second at most.
  socket.resume();
  setTimeout(() => socket.destroy(), 1000).unref();
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** `limits` other than the documented ones are for tests that cannot wait 10 s. */
export function createHttpServer(app: Express, limits: ServerLimits = SERVER_LIMITS): http.Server {
  // `app.request` and `app.response` inherit from Node's IncomingMessage and ServerResponse
  // prototypes (Express sets them up so), so the instances are still Node's objects.
  const IncomingMessage = bornWith(http.IncomingMessage, app.request as object);
  const ServerResponse = bornWith(http.ServerResponse, app.response as object);
  const options: http.ServerOptions<RequestClass, ResponseClass> = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
    maxHeaderSize: limits.maxHeaderBytes,
    // A request without Host gets the console's own 400, with a message (middleware/wellFormed.ts).
    requireHostHeader: false,
    // Still correct without them, only slower: Express sets the prototypes itself.
    ...(IncomingMessage && ServerResponse ? { IncomingMessage, ServerResponse } : {}),
  };
  const server = http.createServer<RequestClass, ResponseClass>(options, app);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) =>
    answerClientError(error, socket, limits),
  );
  return server;
}
