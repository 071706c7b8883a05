/**
 * Session revocation through the store: signing out on one replica ends every copy of the cookie
 * on every replica, for reads and for changes, and after a restart; a changed role or password
 * ends the user's sessions on every replica once a replica starts with the new users file.
 */
import { sealData, unsealData } from 'iron-session';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import { CSRF_COOKIE, SESSION_COOKIE } from '../auth/cookies.ts';
import { openStore } from '../store/store.ts';
import { eventually, startHarness, type AppUnderTest, type Harness } from '../testing/harness.ts';
import { logQueries } from '../testing/storeQueries.ts';
import { testStore } from '../testing/testStore.ts';
import { browserAgent, cookieValue, OPERATOR, TEST_ORIGIN, VIEWER } from '../testing/users.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const SECRET = 'a-shared-session-secret-of-at-least-32-bytes';
const env = { SESSION_SECRET: SECRET };

/** A copy of a signed-in browser's cookies, as someone who saved them would replay them. */
interface SavedCookies {
  seal: string;
  csrf: string;
}

async function signInOn(app: AppUnderTest, user = OPERATOR) {
  const agent = browserAgent(app.app);
  const res = await agent
    .post('/api/session')
    .send({ username: user.username, password: user.password });
  expect(res.status).toBe(200);
  const saved: SavedCookies = {
    seal: cookieValue(res.headers['set-cookie'], SESSION_COOKIE)!,
    csrf: cookieValue(res.headers['set-cookie'], CSRF_COOKIE)!,
  };
  agent.set('X-CSRF-Token', saved.csrf);
  return { agent, saved };
}

const cookieHeader = ({ seal, csrf }: SavedCookies) =>
  `${SESSION_COOKIE}=${encodeURIComponent(seal)}; ${CSRF_COOKIE}=${csrf}`;

const getWith = (app: AppUnderTest, saved: SavedCookies) =>
  request(app.app).get('/api/session').set('Host', 'localhost').set('Cookie', cookieHeader(saved));

/** A state-changing request with everything a browser would send: cookie, Origin and token. */
const postWith = (app: AppUnderTest, saved: SavedCookies) =>
  request(app.app)
    .post(`/api/servers/${DEFAULT_SERVER}/install`)
    .set('Host', 'localhost')
    .set('Origin', TEST_ORIGIN)
    .set('Cookie', cookieHeader(saved))
    .set('X-CSRF-Token', saved.csrf)
    .send({});

const ENDED =
  'Your session has ended (you were signed out or your access changed). Sign in again to continue.';

describe('sign-out', () => {
  it('on replica A refuses every saved copy of the cookie on replica B, for a read and a change', async () => {
    const a = await h.buildApp({ env });
    const b = await h.buildApp({ env, store: a.store, usersFile: a.usersFile });
    const { agent, saved } = await signInOn(a);
    // Before: the copy works on B, up to the form check of a state-changing request.
    expect((await getWith(b, saved)).status).toBe(200);
    expect((await postWith(b, saved)).status).toBe(400);

    expect((await agent.delete('/api/session')).status).toBe(204);

    const read = await getWith(b, saved);
    expect(read.status).toBe(401);
    expect(read.body.error.message).toBe(ENDED);
    expect(cookieValue(read.headers['set-cookie'], SESSION_COOKIE)).toBe('');
    const change = await postWith(b, saved);
    expect(change.status).toBe(401);
    expect(change.body.error.code).toBe('UNAUTHENTICATED');
    // And on A itself.
    expect((await getWith(a, saved)).status).toBe(401);
  });

  it('on replica A, with its own connections to PostgreSQL, ends a copy B has cached within a moment, and a change at once', async () => {
    const ours = await testStore({ kind: 'postgres' });
    const theirs = await openStore({ databaseUrl: ours.url ?? '', dataDir: '' });
    try {
      const a = await h.buildApp({ env, store: ours });
      const log = logQueries(theirs);
      const b = await h.buildApp({ env, store: log.store, usersFile: a.usersFile });
      const { agent, saved } = await signInOn(a);
      // B reads the epoch once, and keeps it once it listens for bumps.
      await eventually(async () => {
        log.take();
        expect((await getWith(b, saved)).status).toBe(200);
        return log.take().some((q) => q.sql.includes('"user_sessions"')) ? undefined : true;
      });

      expect((await agent.delete('/api/session')).status).toBe(204);
      const signedOut = Date.now();
      // A change reads the epoch from the store itself.
      expect((await postWith(b, saved)).status).toBe(401);
      // A read is refused once B hears A's NOTIFY: well within the cache's 2 s.
      await eventually(async () => ((await getWith(b, saved)).status === 401 ? true : undefined));
      expect(Date.now() - signedOut).toBeLessThan(1_000);
    } finally {
      await theirs.close();
      await ours.close();
    }
  });

  it('is kept across a restart, and the user signs in again on any replica', async () => {
    const a = await h.buildApp({ env });
    const { agent, saved } = await signInOn(a);
    expect((await agent.delete('/api/session')).status).toBe(204);
    const restarted = await h.buildApp({ env, store: a.store, usersFile: a.usersFile });
    expect((await getWith(restarted, saved)).status).toBe(401);
    expect((await postWith(restarted, saved)).status).toBe(401);

    const again = await signInOn(restarted);
    expect((await getWith(a, again.saved)).status).toBe(200);
    expect((await postWith(a, again.saved)).status).toBe(400);
  });

  it("ends only the user who signed out, not another user's session", async () => {
    const a = await h.buildApp({ env });
    const b = await h.buildApp({ env, store: a.store, usersFile: a.usersFile });
    const operator = await signInOn(a, OPERATOR);
    const viewer = await signInOn(a, VIEWER);
    expect((await operator.agent.delete('/api/session')).status).toBe(204);
    expect((await getWith(b, viewer.saved)).status).toBe(200);
  });
});

describe('a seal', () => {
  it('made before sessions carried an epoch no longer opens', async () => {
    const app = await h.buildApp({ env });
    const { saved } = await signInOn(app);
    // The same session, sealed as it was before: everything but the epoch.
    const { epoch, ...before } = await unsealData<Record<string, unknown>>(saved.seal, {
      password: SECRET,
    });
    expect(epoch).toBe(0);
    const seal = await sealData(before, { password: SECRET });
    const res = await getWith(app, { ...saved, seal });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe(ENDED);
  });
});

describe('a changed user', () => {
  it('whose role changed loses their sessions on the replicas that still have the old file', async () => {
    const a = await h.buildApp({ env });
    const { saved } = await signInOn(a);
    expect((await getWith(a, saved)).status).toBe(200);
    // A replica (re)starts on the same store with the operator made a viewer.
    const changed = await h.buildApp({
      env,
      store: a.store,
      users: [{ ...OPERATOR, role: 'viewer' }, VIEWER],
    });
    const onChanged = await getWith(changed, saved);
    expect(onChanged.status).toBe(401);
    expect(onChanged.body.error.message).toBe(ENDED);
    // A still has the old file, so the seal matches its directory: the epoch is what ends it.
    expect((await getWith(a, saved)).status).toBe(401);
    expect((await postWith(a, saved)).status).toBe(401);
  });

  it('whose password changed and changed back while away stays signed out after a restart', async () => {
    const a = await h.buildApp({ env });
    const { saved } = await signInOn(a);
    await h.buildApp({ env, store: a.store, users: [{ ...OPERATOR, password: 'a-new-one-1' }] });
    // Back on the original users file: the seal matches it again, but its epoch is gone.
    const restarted = await h.buildApp({ env, store: a.store, usersFile: a.usersFile });
    const res = await getWith(restarted, saved);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe(ENDED);
    expect((await signInOn(restarted)).saved.seal).toBeDefined();
  });
});

describe('when the store does not answer', () => {
  it('refuses a request with a session with a 503 instead of trusting the cookie', async () => {
    const broken = await testStore();
    const app = await h.buildApp({ env, store: broken });
    const { saved } = await signInOn(app);
    await broken.close();
    const res = await getWith(app, saved);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('STORE_UNAVAILABLE');
    expect(res.body.error.message).toMatch(
      /^Your session cannot be checked: the console cannot reach its database right now\./,
    );
  }, 30_000);
});
