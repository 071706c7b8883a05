/**
 * What OVH answered to one node-ovh call, read off the wire. node-ovh 3.0.0 keeps only the body of
 * a success and `(status, message)` of a failure, so OVH's error `class` and its `X-Ovh-QueryID`
 * (the id OVH support asks for) never reach its caller. Node publishes every HTTP client request
 * and response on documented diagnostics channels: a trace runs the node-ovh call in an
 * AsyncLocalStorage context, so a request that starts in that context is the call's own; its
 * response (matched by the request object, never by socket or timing) gives the status and the
 * query id, and, for an error status only, a bounded copy of the body for its `class`. A success
 * costs the context, a map lookup and a header read: nothing listens to its body.
 *
 * Node publishes `http.client.request.start` in the context that created the request, also for a
 * kept-alive socket and for a request the agent queued (it restores the request's context). A
 * node-ovh call makes its requests one after the other (its own `GET /auth/time`, then the call),
 * so the last one is the one that failed; a second request while one is unanswered means the
 * context is not this call's alone, and the trace then reports nothing rather than a wrong id.
 *
 * On Node 20 an enabled AsyncLocalStorage runs a hook on every promise the process creates, OVH
 * call or not (a warm server page cost ~30 % more CPU with it). The storage is therefore enabled
 * only while a traced call is in flight, and disabled when the last one finishes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

export interface OvhAnswer {
  /** The HTTP status of the call's last answer. */
  status: number;
  /** `X-Ovh-QueryID`, when it is a plausible id. */
  queryId?: string;
  /** OVH's error `class`, from an error body. */
  ovhClass?: string;
}

/** OVH's error bodies are `{ class, message }`, well under this; a longer one yields no class. */
export const MAX_ERROR_BODY_BYTES = 16 * 1024;
/** Only what an id can look like (`EU.ext-5.66a1f2c3.12345.8f3e…`) is shown, logged or copied. */
const QUERY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** `Client::BadRequest::CustomizationInvalidFormat`. */
const OVH_CLASS = /^[A-Za-z][A-Za-z0-9]*(?:::[A-Za-z0-9_]+){0,8}$/;
const MAX_CLASS_LENGTH = 200;

const tracing = new AsyncLocalStorage<AnswerTrace>();
const owners = new WeakMap<ClientRequest, AnswerTrace>();

interface RequestStart {
  request: ClientRequest;
}
interface ResponseFinish {
  request: ClientRequest;
  response: IncomingMessage;
}

let listening = false;
/** Traces run and not yet finished: while there are none, the storage is disabled. */
let inFlight = 0;

/** How many traced calls are in flight (the storage's hook runs only while this is above 0). */
export function tracesInFlight(): number {
  return inFlight;
}

/** Subscribed once, on the first traced call: the channels cost nothing until then. */
function listen(): void {
  if (listening) return;
  listening = true;
  subscribe('http.client.request.start', (message) => {
    tracing.getStore()?.started((message as RequestStart).request);
  });
  // Published when the response's headers have arrived, before the request's 'response' event:
  // a 'data' listener added here sees the whole body, as node-ovh's own does.
  subscribe('http.client.response.finish', (message) => {
    const { request, response } = message as ResponseFinish;
    owners.get(request)?.answered(request, response);
  });
}

function isSuccess(status: number): boolean {
  // node-ovh's own test of a failure.
  return status >= 200 && status <= 299;
}

function queryIdOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && QUERY_ID.test(value) ? value : undefined;
}

function classOf(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const value =
      typeof parsed === 'object' && parsed !== null && 'class' in parsed ? parsed.class : undefined;
    return typeof value === 'string' && value.length <= MAX_CLASS_LENGTH && OVH_CLASS.test(value)
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

export class AnswerTrace {
  #request: ClientRequest | undefined;
  #status = 0;
  #queryId: string | undefined;
  #body: Buffer[] | null = null;
  #overflowed = false;
  #ambiguous = false;
  #finished = false;
  #counted = false;
  #result: OvhAnswer | undefined;

  /**
   * Runs `call` (one node-ovh call) so that the requests it starts, now or later, are traced;
   * `finish` must follow, whatever the call's outcome.
   */
  run<T>(call: () => T): T {
    // A finished trace takes nothing: the call runs untraced, the storage left as it is.
    if (this.#finished) return call();
    listen();
    if (!this.#counted) {
      this.#counted = true;
      inFlight += 1;
    }
    return tracing.run(this, call);
  }

  /** A request started in this trace's context. */
  started(request: ClientRequest): void {
    if (this.#finished) return;
    if (this.#request && this.#status === 0) this.#ambiguous = true;
    if (this.#request) owners.delete(this.#request);
    this.#request = request;
    owners.set(request, this);
    this.#status = 0;
    this.#queryId = undefined;
    this.#body = null;
    this.#overflowed = false;
  }

  answered(request: ClientRequest, response: IncomingMessage): void {
    if (this.#finished || request !== this.#request) return;
    this.#status = response.statusCode ?? 0;
    this.#queryId = queryIdOf(response.headers['x-ovh-queryid']);
    if (isSuccess(this.#status)) return;
    const chunks: Buffer[] = [];
    this.#body = chunks;
    let size = 0;
    const copy = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.byteLength;
      if (this.#finished || size > MAX_ERROR_BODY_BYTES) {
        this.#overflowed ||= size > MAX_ERROR_BODY_BYTES;
        response.off('data', copy);
        return;
      }
      chunks.push(bytes);
    };
    response.on('data', copy);
  }

  /**
   * The call's last answer, once the call has settled (node-ovh settles after the body's end);
   * undefined when no answer arrived or the trace could not tell whose it was. The first call
   * ends the trace: a late answer (after a timeout) changes nothing.
   */
  finish(): OvhAnswer | undefined {
    if (this.#finished) return this.#result;
    this.#finished = true;
    if (this.#counted) {
      inFlight -= 1;
      // Contexts already handed out keep this trace; with none in flight nothing needs them.
      if (inFlight === 0) tracing.disable();
    }
    this.#result = this.#ambiguous || this.#status === 0 ? undefined : this.#answer();
    // A kept-alive socket opened by this call holds its context, hence this trace: let go of the
    // request and the body so the socket holds nothing more.
    if (this.#request) owners.delete(this.#request);
    this.#request = undefined;
    this.#body = null;
    return this.#result;
  }

  #answer(): OvhAnswer {
    const ovhClass =
      this.#body && !this.#overflowed ? classOf(Buffer.concat(this.#body)) : undefined;
    return {
      status: this.#status,
      ...(this.#queryId ? { queryId: this.#queryId } : {}),
      ...(ovhClass ? { ovhClass } : {}),
    };
  }
}
