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

export function createHttpServer(app: Express): http.Server {
  // `app.request` and `app.response` inherit from Node's IncomingMessage and ServerResponse
  // prototypes (Express sets them up so), so the instances are still Node's objects.
  const IncomingMessage = bornWith(http.IncomingMessage, app.request as object);
  const ServerResponse = bornWith(http.ServerResponse, app.response as object);
  // Still correct without them, only slower: Express sets the prototypes itself.
  if (!IncomingMessage || !ServerResponse) return http.createServer(app);
  return http.createServer<RequestClass, ResponseClass>({ IncomingMessage, ServerResponse }, app);
}
