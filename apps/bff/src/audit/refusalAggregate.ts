/**
 * Refusals of requests without a session (a stale tab polling, a scanner) are not worth a line
 * each: per client address and clock minute they become one entry with a count, the first and last
 * time and a few sampled requests, written when that minute is over (or when the log closes).
 * Sign-in failures are not aggregated: they name the user tried, and each one matters.
 */
import type { AuditEntryDto } from '@byoi/shared';

export const MAX_SAMPLES = 5;
/** Open windows at most; beyond this (many addresses in one minute) they share one entry. */
export const MAX_OPEN_WINDOWS = 1000;
const MINUTE = 60_000;
/** Written a little after the minute ends, so a request finishing on the boundary still counts. */
const GRACE_MS = 1000;

export function isAnonymousRefusal(entry: Omit<AuditEntryDto, 'id'>): boolean {
  return entry.outcome === 'refused' && entry.user === null && entry.event !== 'sign-in';
}

interface Window {
  minute: number;
  ip: string | null;
  count: number;
  first: string;
  last: string;
  samples: string[];
  /** The first refusal, whose code the entry carries. */
  code: string | undefined;
}

export interface RefusalAggregatorOptions {
  /** Receives each aggregated entry (without its id). */
  write: (entry: Omit<AuditEntryDto, 'id'>) => void;
  now?: () => number;
}

export class RefusalAggregator {
  readonly #windows = new Map<string, Window>();
  readonly #write: RefusalAggregatorOptions['write'];
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: RefusalAggregatorOptions) {
    this.#write = options.write;
    this.#now = options.now ?? Date.now;
  }

  add(entry: Omit<AuditEntryDto, 'id'>): void {
    const at = Date.parse(entry.time);
    const minute = Math.floor((Number.isNaN(at) ? this.#now() : at) / MINUTE) * MINUTE;
    const full = this.#windows.size >= MAX_OPEN_WINDOWS;
    const ip = full ? null : entry.ip;
    const key = `${minute} ${ip ?? '*'}`;
    let window = this.#windows.get(key);
    if (!window) {
      window = {
        minute,
        ip,
        count: 0,
        first: entry.time,
        last: entry.time,
        samples: [],
        code: entry.code,
      };
      this.#windows.set(key, window);
    }
    window.count += 1;
    window.last = entry.time;
    const sample = `${entry.method ?? ''} ${entry.route ?? ''} → ${entry.status ?? ''}`.trim();
    if (window.samples.length < MAX_SAMPLES && !window.samples.includes(sample)) {
      window.samples.push(sample);
    }
    this.#schedule();
  }

  /** Writes the windows whose minute is over; with `all`, every open window. */
  settle(all = false): void {
    const now = this.#now();
    for (const [key, window] of this.#windows) {
      if (!all && window.minute + MINUTE + GRACE_MS > now) continue;
      this.#windows.delete(key);
      this.#write({
        time: window.last,
        firstTime: window.first,
        event: 'refusal',
        outcome: 'refused',
        user: null,
        role: null,
        ip: window.ip,
        ...(window.code !== undefined ? { code: window.code } : {}),
        count: window.count,
        samples: window.samples,
      });
    }
    if (this.#windows.size === 0 && this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  get openWindows(): number {
    return this.#windows.size;
  }

  close(): void {
    this.settle(true);
  }

  #schedule(): void {
    if (this.#timer) return;
    const now = this.#now();
    const wait = Math.floor(now / MINUTE) * MINUTE + MINUTE + GRACE_MS - now;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.settle();
      if (this.#windows.size > 0) this.#schedule();
    }, wait);
    // The aggregate is written at close anyway; a pending one must not keep the process alive.
    this.#timer.unref();
  }
}
