/** A store out of reach is a 503 that says so, from any route: never a 500, never a stack. */
import { describe, expect, it } from 'vitest';
import { openStore } from './store.ts';
import { isStoreUnavailable } from './storeUnavailable.ts';

describe('isStoreUnavailable', () => {
  it('knows a refused connection, a dropped one and a shutdown, and not a query error', async () => {
    const refused = await openStore({
      databaseUrl: 'postgres://u@127.0.0.1:1/db',
      dataDir: '',
    }).catch((e: unknown) => e);
    // openStore words it as a StoreError; the driver's own error is what a route would see.
    expect(String(refused)).toContain('ECONNREFUSED');
    expect(
      isStoreUnavailable(
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      ),
    ).toBe(true);
    expect(
      isStoreUnavailable(Object.assign(new Error('terminating connection'), { code: '57P01' })),
    ).toBe(true);
    expect(
      isStoreUnavailable(Object.assign(new Error('connection failure'), { code: '08006' })),
    ).toBe(true);
    expect(isStoreUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isStoreUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(
      false,
    );
    expect(isStoreUnavailable('ECONNREFUSED')).toBe(false);
  });
});
