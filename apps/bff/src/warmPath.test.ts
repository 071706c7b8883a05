/**
 * What a signed-in read costs the store once the caches are warm: nothing. Not the session's epoch
 * (kept, and forgotten on a bump), not the installs running on the server (kept for the server
 * cache's TTL), not the anonymous rate limit (skipped for a session), no idempotency key, no audit
 * entry. A change still reads the epoch from the store. On both engines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import { eventually, startHarness, type Harness } from './testing/harness.ts';
import { logQueries, type QueryLog } from './testing/storeQueries.ts';
import { testStore, type TestStore } from './testing/testStore.ts';
import { OPERATOR, signIn, type TestAgent } from './testing/users.ts';

let h: Harness;
beforeAll(async () => {
  // Long enough that no OVH answer expires during a test.
  h = await startHarness({ SERVER_CACHE_TTL_MS: '60000' });
}, 60_000);
afterAll(() => h.close());

const epochReads = (sqls: string[]) => sqls.filter((q) => q.includes('from "user_sessions"'));

describe.each(['pglite', 'postgres'] as const)('a warm read on %s', (kind) => {
  let store: TestStore;
  let log: QueryLog;
  let agent: TestAgent;
  beforeAll(async () => {
    store = await testStore({ kind });
    log = logQueries(store);
    const app = await h.buildApp({ store: log.store });
    agent = await signIn(log.serve(app.app), OPERATOR);
  }, 60_000);
  afterAll(() => store.close());

  /** The SQL of what answering `path` asked the store. */
  async function queriesOf(path: string): Promise<string[]> {
    log.take();
    expect((await agent.get(path)).status).toBe(200);
    return log
      .take()
      .filter((q) => q.forRequest)
      .map((q) => q.sql);
  }

  /** Reads `path` until it asks the store nothing (the epoch is kept once PostgreSQL listens). */
  const warm = (path: string) =>
    eventually(async () => ((await queriesOf(path)).length === 0 ? true : undefined), 5_000);

  it('asks the store nothing for a server page', async () => {
    await warm(`/api/servers/${DEFAULT_SERVER}`);
    expect(await queriesOf(`/api/servers/${DEFAULT_SERVER}`)).toEqual([]);
    expect(await queriesOf(`/api/servers/${DEFAULT_SERVER}`)).toEqual([]);
  });

  it('asks the store nothing for a page of the list', async () => {
    await warm('/api/servers?pageSize=20');
    expect(await queriesOf('/api/servers?pageSize=20')).toEqual([]);
  });

  it('reads the epoch from the store for a change, whatever is kept', async () => {
    await warm(`/api/servers/${DEFAULT_SERVER}`);
    log.take();
    // Refused by the form check, after the session check.
    const res = await agent.post(`/api/servers/${DEFAULT_SERVER}/preflight`).send({});
    expect(res.status).toBe(400);
    const sqls = log
      .take()
      .filter((q) => q.forRequest)
      .map((q) => q.sql);
    expect(epochReads(sqls)).toHaveLength(1);
    expect(epochReads(await queriesOf(`/api/servers/${DEFAULT_SERVER}`))).toEqual([]);
  });
});
