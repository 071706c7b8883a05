import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import { startHarness, type Harness } from '../testing/harness.ts';
import { testStore } from '../testing/testStore.ts';
import { OPERATOR, SCOPED_OPERATOR, VIEWER } from '../testing/users.ts';
import { DEFAULT_RATE_LIMITS } from './rateLimits.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('documented limits', () => {
  it('are 5 failures per account and 20 per address in 15 minutes, 10 installs, 20 preflights and 300 requests without a session a minute', () => {
    expect(DEFAULT_RATE_LIMITS).toEqual({
      signInFailuresPerUser: 5,
      signInFailuresPerIp: 20,
      signInWindowMinutes: 15,
      installsPerMinute: 10,
      preflightsPerMinute: 20,
      anonymousPerMinute: 300,
    });
  });
});

describe('sign-in throttling', () => {
  it('locks an account after 5 failures, even for the right password, and says for how long', async () => {
    const agent = (await h.buildApp()).anonymous();
    for (let i = 0; i < 5; i++) {
      const res = await agent
        .post('/api/session')
        .send({ username: OPERATOR.username, password: `wrong-${i}` });
      expect(res.status).toBe(401);
    }
    const locked = await agent
      .post('/api/session')
      .send({ username: OPERATOR.username, password: OPERATOR.password });
    expect(locked.status).toBe(429);
    expect(locked.body.error).toEqual({
      code: 'RATE_LIMITED',
      message: 'Too many failed sign-ins for this account. Try again in 15 minutes.',
    });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
    // The lock is per account: another user still signs in from the same address.
    expect(
      (
        await agent
          .post('/api/session')
          .send({ username: VIEWER.username, password: VIEWER.password })
      ).status,
    ).toBe(200);
  });

  it('does not count successful sign-ins', async () => {
    const agent = (await h.buildApp()).anonymous();
    for (let i = 0; i < 8; i++) {
      const ok = await agent
        .post('/api/session')
        .send({ username: OPERATOR.username, password: OPERATOR.password });
      expect(ok.status).toBe(200);
    }
  });

  it('locks an address after 20 failures across accounts', async () => {
    const agent = (await h.buildApp()).anonymous();
    for (let i = 0; i < 20; i++) {
      const res = await agent.post('/api/session').send({ username: `guess${i}`, password: 'x' });
      expect(res.status).toBe(401);
    }
    const locked = await agent
      .post('/api/session')
      .send({ username: VIEWER.username, password: VIEWER.password });
    expect(locked.status).toBe(429);
    expect(locked.body.error.message).toBe(
      'Too many failed sign-ins from your network address. Try again in 15 minutes.',
    );
  });
});

describe('install and preflight rate limits', () => {
  it('allow the documented 10 installs a minute per user, then 429 with Retry-After', async () => {
    const app = await h.buildApp({ rateLimits: DEFAULT_RATE_LIMITS });
    const agent = await app.signIn(OPERATOR);
    // Each attempt counts, even one the form validation refuses.
    for (let i = 0; i < 10; i++) {
      expect(
        (await agent.post(`/api/servers/${DEFAULT_SERVER}/install`).send({ n: i })).status,
      ).toBe(400);
    }
    const limited = await agent.post(`/api/servers/${DEFAULT_SERVER}/install`).send({ n: 4 });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(limited.body.error.message).toMatch(
      /too many installs in a short time \(at most 10 a minute\)\. Try again in \d+ seconds?\./,
    );
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Per user: another operator is not held back.
    const other = await app.signIn(SCOPED_OPERATOR);
    expect((await other.post(`/api/servers/${DEFAULT_SERVER}/install`).send({})).status).toBe(400);
  });

  it('limit image checks to the documented 20 a minute per user', async () => {
    const app = await h.buildApp({ rateLimits: DEFAULT_RATE_LIMITS });
    const agent = await app.signIn(OPERATOR);
    for (let i = 0; i < 20; i++) {
      expect(
        (await agent.post(`/api/servers/${DEFAULT_SERVER}/preflight`).send({})).status,
      ).not.toBe(429);
    }
    const limited = await agent.post(`/api/servers/${DEFAULT_SERVER}/preflight`).send({});
    expect(limited.status).toBe(429);
    expect(limited.body.error.message).toContain('too many image checks');
  });
});

describe('requests without a session', () => {
  it('are limited per address, never a signed-in user', async () => {
    const app = await h.buildApp({ rateLimits: { ...DEFAULT_RATE_LIMITS, anonymousPerMinute: 5 } });
    // Signing in is itself a request without a session: it counts.
    const signedIn = await app.signIn(OPERATOR);
    const anonymous = app.anonymous();
    let allowed = 0;
    while ((await anonymous.get('/api/session')).status !== 429) allowed++;
    expect(allowed).toBeGreaterThan(0);
    expect(allowed).toBeLessThan(5);
    const limited = await anonymous.get('/api/session');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.body.error.message).toMatch(/without a session from your network address/);
    // The operator, from the same address, is not held back.
    expect((await signedIn.get('/api/session')).status).toBe(200);
  });
});

describe('limits shared by replicas and kept across restarts', () => {
  it('counts failed sign-ins on two replicas of one store together, and a restart forgets none', async () => {
    const a = await h.buildApp();
    const b = await h.buildApp({ store: a.store, usersFile: a.usersFile });
    const attempt = (app: typeof a, password: string) =>
      app.anonymous().post('/api/session').send({ username: OPERATOR.username, password });
    for (let i = 0; i < 5; i++) {
      expect((await attempt(i % 2 === 0 ? a : b, `wrong-${i}`)).status).toBe(401);
    }
    expect((await attempt(a, OPERATOR.password)).status).toBe(429);
    expect((await attempt(b, OPERATOR.password)).status).toBe(429);
    // A new process on the same store (a restart) still holds the lock.
    const restarted = await h.buildApp({ store: a.store, usersFile: a.usersFile });
    const locked = await attempt(restarted, OPERATOR.password);
    expect(locked.status).toBe(429);
    expect(locked.body.error.message).toBe(
      'Too many failed sign-ins for this account. Try again in 15 minutes.',
    );
  });

  it('counts installs on two replicas of one store together', async () => {
    const limits = { ...DEFAULT_RATE_LIMITS, installsPerMinute: 4 };
    const a = await h.buildApp({ rateLimits: limits });
    const b = await h.buildApp({ rateLimits: limits, store: a.store, usersFile: a.usersFile });
    const [onA, onB] = [await a.signIn(OPERATOR), await b.signIn(OPERATOR)];
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const agent = i % 2 === 0 ? onA : onB;
      statuses.push((await agent.post(`/api/servers/${DEFAULT_SERVER}/install`).send({})).status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
  });
});

describe('when the store does not answer', () => {
  it('refuses sign-in with a 503 that says why, and lets other requests through', async () => {
    const broken = await testStore();
    const app = await h.buildApp({ store: broken });
    // Signed in first, so the app has compared its users with the store before it goes away.
    await app.signIn(VIEWER);
    await broken.close();
    const signIn = await app
      .anonymous()
      .post('/api/session')
      .send({ username: OPERATOR.username, password: OPERATOR.password });
    expect(signIn.status).toBe(503);
    expect(signIn.body.error.message).toMatch(
      /^Signing in is unavailable: the console cannot reach its database right now\./,
    );
    expect(JSON.stringify(signIn.body)).not.toMatch(/destroyed|pglite/i);
    // The limit on requests without a session lets them through, and says so in the log.
    const meta = await app.anonymous().get('/api/meta');
    expect(meta.status).toBe(200);
    expect(app.logLines.some((l) => l.includes('error from store, allowing request'))).toBe(true);
  }, 30_000);
});
