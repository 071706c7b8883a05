import { sealData } from 'iron-session';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import { CSRF_COOKIE, SESSION_COOKIE } from '../auth/cookies.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { browserAgent, cookieValue, OPERATOR, signIn, VIEWER } from '../testing/users.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const SECRET = 'a-shared-session-secret-of-at-least-32-bytes';
const newApp = (options: Parameters<Harness['buildApp']>[0] = {}) => h.buildApp(options);

const MINUTE = 60_000;

function cookieLine(setCookie: string[] | string | undefined, name: string): string {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return list.find((c) => c.startsWith(`${name}=`)) ?? '';
}

describe('sign-in, who am I, sign-out', () => {
  it('signs in with the right password and sets the sealed session and the CSRF cookie', async () => {
    const { app } = await newApp();
    const res = await browserAgent(app)
      .post('/api/session')
      .send({ username: OPERATOR.username, password: OPERATOR.password });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: { username: OPERATOR.username, role: 'operator', servers: ['*'] },
    });
    const session = cookieLine(res.headers['set-cookie'], SESSION_COOKIE);
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(session).toMatch(/Max-Age=\d+/);
    expect(session).not.toMatch(/Secure/); // plain-HTTP localhost
    // Sealed: nothing about the user is readable in the cookie.
    expect(session).not.toContain(OPERATOR.username);
    const csrf = cookieLine(res.headers['set-cookie'], CSRF_COOKIE);
    expect(csrf).toMatch(/SameSite=Strict/);
    expect(csrf).not.toMatch(/HttpOnly/);
  });

  it('marks cookies Secure outside localhost', async () => {
    const { app } = await newApp();
    const res = await request(app)
      .post('/api/session')
      .set('Host', 'console.example.com')
      .set('Origin', 'http://console.example.com')
      .send({ username: OPERATOR.username, password: OPERATOR.password });
    expect(res.status).toBe(200);
    expect(cookieLine(res.headers['set-cookie'], SESSION_COOKIE)).toMatch(/; Secure/);
    expect(cookieLine(res.headers['set-cookie'], CSRF_COOKIE)).toMatch(/; Secure/);
  });

  it('refuses a wrong password or an unknown user with the same answer and no cookie', async () => {
    const { app } = await newApp();
    for (const body of [
      { username: OPERATOR.username, password: 'nope' },
      { username: 'nobody', password: OPERATOR.password },
    ]) {
      const res = await browserAgent(app).post('/api/session').send(body);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: { code: 'UNAUTHENTICATED', message: 'Wrong username or password.' },
      });
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('explains a malformed sign-in body', async () => {
    const { app } = await newApp();
    const res = await browserAgent(app).post('/api/session').send({ user: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toContain('"username"');
  });

  it('answers who is signed in, and 401 without a session', async () => {
    const { app } = await newApp();
    const agent = await signIn(app, VIEWER);
    const me = await agent.get('/api/session');
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual({ username: VIEWER.username, role: 'viewer', servers: ['*'] });
    const anonymous = await request(app).get('/api/session');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'Sign in to use the console.',
    });
    expect((await request(app).get('/api/servers')).status).toBe(401);
  });

  it('signs out: both cookies are cleared and the agent is anonymous again', async () => {
    const { app } = await newApp();
    const agent = await signIn(app);
    const out = await agent.delete('/api/session');
    expect(out.status).toBe(204);
    expect(cookieLine(out.headers['set-cookie'], SESSION_COOKIE)).toMatch(
      /Expires=Thu, 01 Jan 1970/,
    );
    expect(cookieLine(out.headers['set-cookie'], CSRF_COOKIE)).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect((await agent.get('/api/servers')).status).toBe(401);
  });

  it('rotates on sign-in: a new seal and a new CSRF token, the old token no longer works', async () => {
    const { app } = await newApp();
    const agent = browserAgent(app);
    const body = { username: OPERATOR.username, password: OPERATOR.password };
    const first = await agent.post('/api/session').send(body);
    const second = await agent.post('/api/session').send(body);
    const seal1 = cookieValue(first.headers['set-cookie'], SESSION_COOKIE);
    const seal2 = cookieValue(second.headers['set-cookie'], SESSION_COOKIE);
    const csrf1 = cookieValue(first.headers['set-cookie'], CSRF_COOKIE);
    const csrf2 = cookieValue(second.headers['set-cookie'], CSRF_COOKIE);
    expect(seal2).not.toBe(seal1);
    expect(csrf2).not.toBe(csrf1);
    // One Set-Cookie per name, never two versions in a response.
    expect(
      (second.headers['set-cookie'] as unknown as string[]).filter((c) =>
        c.startsWith(`${SESSION_COOKIE}=`),
      ),
    ).toHaveLength(1);
    const stale = await agent
      .post(`/api/servers/${DEFAULT_SERVER}/install`)
      .set('X-CSRF-Token', csrf1!)
      .send({});
    expect(stale.status).toBe(403);
    expect(stale.body.error.code).toBe('CSRF_FAILED');
    const fresh = await agent
      .post(`/api/servers/${DEFAULT_SERVER}/install`)
      .set('X-CSRF-Token', csrf2!)
      .send({});
    // Past the CSRF guard: the form itself is what is wrong.
    expect(fresh.status).toBe(400);
    expect(fresh.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('session expiry and integrity', () => {
  it('expires after 30 idle minutes with a message that says so', async () => {
    let t = Date.now();
    const { app } = await newApp({ now: () => t });
    const agent = await signIn(app);
    t += 29 * MINUTE;
    expect((await agent.get('/api/servers')).status).toBe(200);
    t += 31 * MINUTE; // the activity above reset the idle clock, so this is 31 idle minutes
    const res = await agent.get('/api/servers');
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('Your session has expired. Sign in again to continue.');
    expect(cookieLine(res.headers['set-cookie'], SESSION_COOKIE)).toMatch(
      /Expires=Thu, 01 Jan 1970/,
    );
  });

  it('refreshes lastSeen at most once a minute', async () => {
    let t = Date.now();
    const { app } = await newApp({ now: () => t });
    const agent = await signIn(app);
    t += 30_000;
    expect(
      cookieValue((await agent.get('/api/servers')).headers['set-cookie'], SESSION_COOKIE),
    ).toBeUndefined();
    t += 40_000;
    expect(
      cookieValue((await agent.get('/api/servers')).headers['set-cookie'], SESSION_COOKIE),
    ).toBeDefined();
  });

  it('hands out one refreshed seal to every request still carrying the old one', async () => {
    let t = Date.now();
    const { app } = await newApp({ now: () => t });
    const res = await browserAgent(app)
      .post('/api/session')
      .send({ username: OPERATOR.username, password: OPERATOR.password });
    const seal = cookieValue(res.headers['set-cookie'], SESSION_COOKIE)!;
    const withSeal = (value: string) =>
      request(app)
        .get('/api/session')
        .set('Cookie', `${SESSION_COOKIE}=${encodeURIComponent(value)}`);
    t += 2 * MINUTE;
    // A page's parallel fetches (or a script without a cookie jar) all carry the seal now due.
    const answers = await Promise.all(Array.from({ length: 20 }, () => withSeal(seal)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const seals = new Set(answers.map((a) => cookieValue(a.headers['set-cookie'], SESSION_COOKIE)));
    expect(seals.size).toBe(1);
    const [refreshed] = [...seals];
    expect(refreshed).toBeDefined();
    expect(refreshed).not.toBe(seal);
    // Once the refreshed seal is itself due, the old one earns a new seal again.
    t += 2 * MINUTE;
    const later = await withSeal(seal);
    expect(later.status).toBe(200);
    expect(cookieValue(later.headers['set-cookie'], SESSION_COOKIE)).not.toBe(refreshed);
  });

  it('ends after 12 hours however active the operator is', async () => {
    let t = Date.now();
    const { app } = await newApp({ now: () => t });
    const agent = await signIn(app);
    for (let i = 0; i < 28; i++) {
      t += 25 * MINUTE;
      expect((await agent.get('/api/servers')).status).toBe(200);
    }
    t += 25 * MINUTE; // 12 h 05 min after sign-in
    const res = await agent.get('/api/servers');
    expect(res.status).toBe(401);
    expect(res.body.error.message).toContain('expired');
  });

  it('treats a tampered cookie as no session', async () => {
    const { app } = await newApp();
    const agent = browserAgent(app);
    const res = await agent
      .post('/api/session')
      .send({ username: OPERATOR.username, password: OPERATOR.password });
    const seal = cookieValue(res.headers['set-cookie'], SESSION_COOKIE)!;
    const flipped = seal.slice(0, 40) + (seal[40] === 'A' ? 'B' : 'A') + seal.slice(41);
    const [sealed = '', version = ''] = seal.split('~');
    for (const value of [
      flipped,
      seal.slice(0, 30),
      'garbage',
      `${sealed}x~${version}`,
      `x${seal}`,
    ]) {
      const r = await request(app).get('/api/session').set('Cookie', `${SESSION_COOKIE}=${value}`);
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses a well-formed session sealed with another secret', async () => {
    const { app } = await newApp();
    const forged = await sealData(
      {
        user: OPERATOR.username,
        role: 'operator',
        servers: ['*'],
        issuedAt: Date.now(),
        lastSeen: Date.now(),
        csrf: 'x'.repeat(43),
        cred: 'x',
        epoch: 0,
      },
      { password: 'another-secret-that-is-long-enough-000000' },
    );
    const r = await request(app).get('/api/session').set('Cookie', `${SESSION_COOKIE}=${forged}`);
    expect(r.status).toBe(401);
  });

  it('is shared by replicas with the same secret and the same store', async () => {
    const a = await newApp({ env: { SESSION_SECRET: SECRET } });
    const b = await newApp({
      env: { SESSION_SECRET: SECRET },
      usersFile: a.usersFile,
      store: a.store,
    });
    const res = await browserAgent(a.app)
      .post('/api/session')
      .send({ username: OPERATOR.username, password: OPERATOR.password });
    const seal = cookieValue(res.headers['set-cookie'], SESSION_COOKIE)!;
    const onB = await request(b.app).get('/api/session').set('Cookie', `${SESSION_COOKIE}=${seal}`);
    expect(onB.status).toBe(200);
    expect(onB.body.user.username).toBe(OPERATOR.username);
  });

  it('ends the session of a user whose role changed in the users file', async () => {
    const a = await newApp({ env: { SESSION_SECRET: SECRET } });
    const b = await newApp({
      env: { SESSION_SECRET: SECRET },
      users: [{ ...OPERATOR, role: 'viewer' }],
    });
    const res = await browserAgent(a.app)
      .post('/api/session')
      .send({ username: OPERATOR.username, password: OPERATOR.password });
    const seal = cookieValue(res.headers['set-cookie'], SESSION_COOKIE)!;
    const onB = await request(b.app).get('/api/session').set('Cookie', `${SESSION_COOKIE}=${seal}`);
    expect(onB.status).toBe(401);
    expect(onB.body.error.message).toContain('your access changed');
  });
});
