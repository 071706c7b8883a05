/**
 * The app's own behaviour, with no OVH call involved: health, meta, JSON errors, 404s, headers,
 * the SPA fallback and what reaches the log. Upstream behaviour is tested against the real
 * simulator in routes/*.test.ts.
 */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { UserDirectory } from './auth/users.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { OvhApi } from './ovh/api.ts';
import type { OvhTransport } from './ovh/transport.ts';
import type { Store } from './store/store.ts';
import { testStore } from './testing/testStore.ts';
import { OPERATOR, signIn, TEST_SCRYPT, writeUsersFile } from './testing/users.ts';

function captureLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination: stream }) };
}

/** An upstream that must not be reached: every call is counted and refused. */
function noUpstream() {
  const calls: string[] = [];
  const transport: OvhTransport = (method, p) => {
    calls.push(`${method} ${p}`);
    // node-ovh rejects with a plain object, never an Error: the wrapper must handle that shape.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    return Promise.reject({ error: -111 });
  };
  return {
    calls,
    ovh: new OvhApi({
      transport,
      concurrency: 2,
      cacheTtlMs: 0,
      retry: { maxRetries: 0, baseDelayMs: 1 },
    }),
  };
}

const usersDir = mkdtempSync(path.join(os.tmpdir(), 'byoi-users-'));
const directory = writeUsersFile(usersDir, [OPERATOR]).then(
  async (usersFile) =>
    (await UserDirectory.load({ usersFile, scryptParams: TEST_SCRYPT })).directory,
);

const stores: Store[] = [];
afterAll(() => Promise.all(stores.map((s) => s.close())));

async function setup(env: NodeJS.ProcessEnv = {}) {
  const dist = mkdtempSync(path.join(os.tmpdir(), 'byoi-dist-'));
  const config = loadConfig({
    WEB_DIST_DIR: dist,
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'byoi-data-')),
    ...env,
  });
  const log = captureLog();
  const upstream = noUpstream();
  const store = await testStore();
  stores.push(store);
  const app = createApp({
    config,
    ovh: upstream.ovh,
    logger: log.logger,
    store,
    directory: await directory,
  });
  return { app, dist, config, ...log, ...upstream };
}

describe('app without upstream', () => {
  it('answers liveness without calling OVH, and does not log it', async () => {
    const { app, calls, lines } = await setup();
    const res = await request(app).get('/api/health').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(calls).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('answers readiness 503 UPSTREAM_UNAVAILABLE when OVH is unreachable', async () => {
    const { app, calls } = await setup();
    const res = await request(app).get('/api/ready').expect(503);
    expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(res.body.error.message).toContain('OVH API unreachable');
    expect(calls).toEqual(['GET /auth/time']);
  });

  it('describes the deployment in /api/meta, never a key', async () => {
    const { app } = await setup({
      OVH_APPLICATION_KEY: 'app-key-123',
      OVH_APPLICATION_SECRET: 'app-secret-456',
      OVH_CONSUMER_KEY: 'consumer-key-789',
      OVH_ENDPOINT: 'ovh-ca',
      OVH_INSTALL_ROUTE: 'install-start',
      SESSION_SECRET: 'session-secret-of-at-least-32-bytes-000',
    });
    const res = await request(app).get('/api/meta').expect(200);
    expect(res.headers.etag).toBeUndefined(); // no body hashing for answers nobody revalidates
    expect(res.body).toEqual({
      mode: 'real',
      endpoint: 'ovh-ca',
      installRoute: 'install-start',
      version: '0.1.0',
    });
    expect(res.text).not.toMatch(/app-key-123|app-secret-456|consumer-key-789/);
  });

  it('says simulator in simulator mode, on the reinstall route by default', async () => {
    const res = await request((await setup()).app)
      .get('/api/meta')
      .expect(200);
    expect(res.body).toMatchObject({
      mode: 'simulator',
      endpoint: 'simulator',
      installRoute: 'reinstall',
    });
  });

  it('answers unknown API routes with a JSON 404 (401 before sign-in)', async () => {
    const { app } = await setup();
    const anonymous = await request(app).get('/api/nope').expect(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
    const res = await (await signIn(app)).get('/api/nope').expect(404);
    expect(res.body).toEqual({
      error: {
        code: 'NOT_FOUND',
        message: 'There is no API endpoint GET /api/nope. See apps/bff/README.md for the list.',
      },
    });
  });

  it('answers malformed JSON with BAD_JSON and no stack', async () => {
    const { app, calls } = await setup();
    const res = await (
      await signIn(app)
    )
      .post('/api/servers/x/install')
      .set('Content-Type', 'application/json')
      .send('{"imageURL": ')
      .expect(400);
    expect(res.body.error.code).toBe('BAD_JSON');
    expect(res.text).not.toMatch(/at .*\.ts:\d+|SyntaxError/);
    expect(calls).toEqual([]);
  });

  it('answers a body over 1 MiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const { app, calls } = await setup();
    const res = await (
      await signIn(app)
    )
      .post('/api/servers/x/install')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ configDriveUserData: 'a'.repeat(1024 * 1024 + 10) }))
      .expect(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(calls).toEqual([]);
  });

  it('sets security headers with a CSP that forbids inline scripts', async () => {
    const res = await request((await setup()).app)
      .get('/api/health')
      .expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('sends HSTS outside localhost only, and forbids framing', async () => {
    const { app } = await setup();
    const remote = await request(app).get('/api/health').set('Host', 'console.example.com');
    expect(remote.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(remote.headers['x-frame-options']).toBe('DENY');
    const local = await request(app).get('/api/health').set('Host', 'localhost:8080');
    expect(local.headers['strict-transport-security']).toBeUndefined();
  });

  it('compresses large responses', async () => {
    const { app, dist } = await setup();
    writeFileSync(path.join(dist, 'index.html'), `<!doctype html><p>${'x'.repeat(5000)}</p>`);
    const res = await request(app).get('/').set('Accept-Encoding', 'gzip').expect(200);
    expect(res.headers['content-encoding']).toBe('gzip');
  });

  it('serves the SPA with a history fallback for non-/api GETs', async () => {
    const { app, dist } = await setup();
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>BYOI</title>');
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'assets', 'app.js'), 'console.log(1)');
    expect((await request(app).get('/').expect(200)).text).toContain('<title>BYOI</title>');
    expect((await request(app).get('/servers/ns1/install').expect(200)).text).toContain(
      '<title>BYOI</title>',
    );
    const js = await request(app).get('/assets/app.js').expect(200);
    expect(js.headers['content-type']).toContain('javascript');
    // /api paths never fall back to the SPA.
    expect((await request(app).get('/api/servers-nope').expect(401)).body.error.code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('says how to build the web app when dist is missing', async () => {
    const { app } = await setup({ WEB_DIST_DIR: path.join(os.tmpdir(), 'byoi-no-such-dist') });
    const res = await request(app).get('/').expect(503);
    expect(res.text).toContain('The web app is not built yet');
    expect(res.text).toContain('pnpm build');
  });

  it('logs one line per request without secrets, bodies or query strings', async () => {
    const { app, lines } = await setup({ LOG_REQUESTS: 'info' });
    await request(app)
      .post('/api/servers/x/install?search=private')
      .set('Authorization', 'Bearer top-secret-token')
      .set('Cookie', 'session=cookie-secret')
      .set('X-Ovh-Consumer', 'ck-secret')
      .set('X-Ovh-Application', 'ak-secret')
      .set('Content-Type', 'application/json')
      .set('User-Agent', 'ops-script/1.2')
      .send({
        imageURL: 'https://example.test/i.qcow2',
        httpHeaders: [{ name: 'Authorization', value: 'Basic header-secret' }],
      })
      .expect(403);
    // One request line; the refusal (no Origin: CSRF, no session) is counted in the audit log's
    // per-minute aggregate, written when the minute is over.
    const requestLines = lines.filter((l) => 'req' in (JSON.parse(l) as object));
    expect(requestLines).toHaveLength(1);
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(requestLines[0] ?? '{}') as {
      req: Record<string, unknown>;
      res: { statusCode: number };
    };
    // Headers by allowlist: the user agent, and no other header under any name.
    expect(entry.req).toEqual({
      id: expect.any(String) as unknown,
      method: 'POST',
      path: '/api/servers/x/install',
      remoteAddress: expect.any(String) as unknown,
      userAgent: 'ops-script/1.2',
    });
    expect(entry.res).toEqual({ statusCode: 403 }); // not the fixed set of response headers
    const all = lines.join('\n');
    for (const secret of [
      'top-secret-token',
      'cookie-secret',
      'ck-secret',
      'ak-secret',
      'header-secret',
      'example.test',
      'private',
    ])
      expect(all).not.toContain(secret);
  });

  it('redacts credential fields if a logger call ever includes them', () => {
    const { logger, lines } = captureLog();
    logger.info(
      { config: { applicationSecret: 's3cr3t', consumerKey: 'ck' }, body: { x: 1 } },
      'oops',
    );
    expect(lines.join('')).not.toMatch(/s3cr3t|"ck"/);
  });
});
