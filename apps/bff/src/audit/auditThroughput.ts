/**
 * Audit inserts per second under load, for the bench: `entries` entries recorded durably by
 * `concurrency` writers at once, each waiting for its entry's commit before the next (as a request
 * waits before its answer leaves). With one writer every entry is an insert of its own; the
 * difference with many is what batching buys.
 */
import type { Store } from '../store/store.ts';
import { AuditLog, type AuditLogStats } from './auditLog.ts';

export interface AuditThroughput extends AuditLogStats {
  entries: number;
  concurrency: number;
  ms: number;
  perSecond: number;
}

const quiet = { info: () => undefined, error: () => undefined };

export async function measureAuditInserts(
  store: Store,
  { entries, concurrency }: { entries: number; concurrency: number },
): Promise<AuditThroughput> {
  const log = new AuditLog(store, quiet);
  let next = 0;
  const writer = async () => {
    for (let i = next++; i < entries; i = next++) {
      await log.recordDurably({
        time: new Date().toISOString(),
        event: 'sign-in',
        outcome: 'failure',
        user: `bench-${i}`,
        role: null,
        ip: '127.0.0.1',
        method: 'POST',
        route: '/api/session',
        status: 401,
        code: 'UNAUTHENTICATED',
      });
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, writer));
  const ms = performance.now() - started;
  return {
    entries,
    concurrency,
    ms: Math.round(ms),
    perSecond: Math.round((entries / ms) * 1000),
    ...log.stats,
  };
}
