import { globMatches } from '../glob.ts';

/** A fault to inject into the next matching OVH API calls. */
export interface FaultSpec {
  /** HTTP method to match; any method when absent. */
  method?: string;
  /** Glob over the path relative to `/1.0` (`*` matches anything), e.g. `/dedicated/server/*`. */
  path: string;
  /** Delay before answering (or before failing). */
  latencyMs?: number;
  /** Answer with this HTTP status and an OVH error body instead of the real answer. */
  status?: number;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /** How many calls it applies to; every matching call until cleared when absent. */
  times?: number;
}

export interface Fault extends FaultSpec {
  id: number;
  /** Calls this fault has applied to so far. */
  hits: number;
}

/** Checks an admin request; throws a sentence saying what is wrong. */
export function parseFault(value: unknown): FaultSpec {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(
      'A fault is a JSON object, e.g. { "path": "/dedicated/server/*", "status": 503, "times": 2 }.',
    );
  }
  const v = value as Record<string, unknown>;
  if (typeof v.path !== 'string' || !v.path.startsWith('/')) {
    throw new TypeError(
      'fault.path must be a glob starting with "/", relative to /1.0, e.g. "/dedicated/server/*".',
    );
  }
  const spec: FaultSpec = { path: v.path };
  if (v.method !== undefined) {
    if (typeof v.method !== 'string')
      throw new TypeError('fault.method must be an HTTP method such as "GET".');
    spec.method = v.method.toUpperCase();
  }
  if (v.latencyMs !== undefined) {
    if (typeof v.latencyMs !== 'number' || !(v.latencyMs >= 0))
      throw new TypeError('fault.latencyMs must be a number of milliseconds ≥ 0.');
    spec.latencyMs = v.latencyMs;
  }
  if (v.status !== undefined) {
    if (
      typeof v.status !== 'number' ||
      !Number.isInteger(v.status) ||
      v.status < 400 ||
      v.status > 599
    ) {
      throw new TypeError('fault.status must be an HTTP error status between 400 and 599.');
    }
    spec.status = v.status;
  }
  if (v.drop !== undefined) {
    if (typeof v.drop !== 'boolean') throw new TypeError('fault.drop must be true or false.');
    spec.drop = v.drop;
  }
  if (v.times !== undefined) {
    if (typeof v.times !== 'number' || !Number.isInteger(v.times) || v.times < 1) {
      throw new TypeError(
        'fault.times must be a whole number ≥ 1 (leave it out for "until cleared").',
      );
    }
    spec.times = v.times;
  }
  if (spec.latencyMs === undefined && spec.status === undefined && !spec.drop) {
    throw new TypeError('A fault needs at least one effect: latencyMs, status or drop.');
  }
  return spec;
}

export class FaultStore {
  #faults: Fault[] = [];
  #nextId = 1;

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, id: this.#nextId++, hits: 0 };
    this.#faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.#faults.map((fault) => ({ ...fault }));
  }

  clear(): void {
    this.#faults = [];
  }

  /** The first fault matching this call, counted as used (and retired once its `times` run out). */
  take(method: string, path: string): Fault | undefined {
    const fault = this.#faults.find(
      (f) => (f.method === undefined || f.method === method) && globMatches(f.path, path),
    );
    if (!fault) return undefined;
    fault.hits += 1;
    if (fault.times !== undefined && fault.hits >= fault.times) {
      this.#faults = this.#faults.filter((f) => f !== fault);
    }
    return { ...fault };
  }
}
