/**
 * The probe suite: whatever a client sends, the console answers 4xx with the API's envelope (never
 * a 5xx), and input it refuses never costs a call to OVH. Hand-written cases for each class of
 * trick found so far, then fast-check fuzzing from a valid install form (fields replaced with any
 * JSON value or hostile text, unknown keys, prototype keys, deep nesting, broken JSON, odd content
 * types and encodings, odd server names in paths). The counts are printed for CI's log.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import fc from 'fast-check';
import { INSTALL_FORM_FIELDS } from '@byoi/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, SERVER_LIMITS } from '../httpServer.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { browserAgent, OPERATOR, signIn, type TestAgent } from '../testing/users.ts';

/** A well-formed name that is not in the account: a well-formed request costs one 404 from OVH. */
const ABSENT = 'ns999999.ip-1-1-1.eu';
const SEED = 20261201;
const REFUSAL_CODES = new Set([
  'VALIDATION_FAILED',
  'BAD_JSON',
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
]);

let h: Harness;
let operator: TestAgent;
let server: http.Server;
let port: number;

const stats = { requests: 0, refused: 0, fiveXx: 0, upstreamOnRefused: 0 };
const byStatus = new Map<number, number>();

const upstreamCalls = () => Object.values(h.sim.admin.calls()).reduce((a, b) => a + b, 0);

/** Counts and checks one answer: never 5xx; a refusal has its envelope and cost OVH nothing. */
function judge(status: number, body: unknown, callsBefore: number, whatInFull: string): void {
  const what = `${whatInFull.slice(0, 300)}${whatInFull.length > 300 ? '…' : ''} (${status}, ${JSON.stringify(body).slice(0, 200)})`;
  stats.requests++;
  byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  if (status >= 500) stats.fiveXx++;
  expect(status, `${what} → ${status} ${JSON.stringify(body)}`).toBeLessThan(500);
  if (status < 400) return;
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  expect(typeof error?.message, `${what}: a 4xx says what is wrong`).toBe('string');
  expect(String(error?.message).length).toBeGreaterThan(10);
  if (typeof error?.code === 'string' && REFUSAL_CODES.has(error.code)) {
    stats.refused++;
    const calls = upstreamCalls() - callsBefore;
    stats.upstreamOnRefused += calls;
    expect(calls, `${what}: refused input reached OVH`).toBe(0);
  }
}

/** Sends raw bytes and returns the status line's code and the parsed JSON body, if any. */
function raw(text: string | Buffer, waitMs = 3000): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let out = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => (out = Buffer.concat([out, d])));
    const done = () => {
      const textOut = out.toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(textOut)?.[1] ?? 0);
      const json = textOut.slice(textOut.indexOf('\r\n\r\n') + 4);
      let body: unknown = null;
      try {
        body = JSON.parse(/^[0-9a-f]+\r\n/i.test(json) ? (json.split('\r\n')[1] ?? '') : json);
      } catch {
        body = json;
      }
      resolve({ status, body });
    };
    socket.on('close', done);
    socket.on('error', () => undefined);
    setTimeout(() => socket.destroy(), waitMs);
  });
}

beforeAll(async () => {
  h = await startHarness();
  // Through the console's own HTTP server, as in production (supertest's would answer some
  // malformed requests itself, without the console's message).
  server = createHttpServer(h.app, {
    ...SERVER_LIMITS,
    headersTimeoutMs: 400,
    checkIntervalMs: 100,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  operator = await signIn(server, OPERATOR);
}, 60_000);

afterAll(async () => {
  const statuses = [...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
  console.log(
    `[probe] ${stats.requests} requests: ${stats.fiveXx} × 5xx; ${stats.refused} refused as bad input, ` +
      `${stats.upstreamOnRefused} upstream calls for them; by status ${statuses.join(' ')}`,
  );
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await h.close();
});

describe('hand-written cases, one per class', () => {
  it.each([
    ['HTTP/1.0 without Host', 'GET /api/session HTTP/1.0\r\n\r\n', 400],
    ['HTTP/1.1 without Host', 'GET /api/session HTTP/1.1\r\nConnection: close\r\n\r\n', 400],
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n', 400],
    ['a control character in a header', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n', 400],
    [
      'a request line over 16 KiB',
      `GET /api/servers/${'x'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      431,
    ],
    ['headers over 16 KiB', `GET / HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(17_000)}\r\n\r\n`, 431],
    [
      'a malformed percent-encoding',
      'GET /api/servers/%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      400,
    ],
    [
      'an encoded NUL in the path',
      'GET /api/servers/ns1%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      400,
    ],
    [
      'invalid UTF-8 in the path',
      'GET /api/%C3%28 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      400,
    ],
  ])('%s: its 4xx and a message', async (what, text, status) => {
    const before = upstreamCalls();
    const answer = await raw(text);
    expect(answer.status).toBe(status);
    judge(answer.status, answer.body, before, what);
  });

  it('headers that arrive too slowly → 408 with a message, and the connection is closed', async () => {
    const answer = await new Promise<{ status: number; closed: boolean }>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () =>
        socket.write('GET /api/session HTTP/1.1\r\nHost: x\r\n'),
      );
      let out = '';
      socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
      socket.on('close', () =>
        resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1] ?? 0), closed: true }),
      );
      socket.on('error', () => undefined);
    });
    expect(answer).toEqual({ status: 408, closed: true });
  });

  it.each([
    [
      'a body nested 5,000 levels deep with an Idempotency-Key',
      '['.repeat(5000) + ']'.repeat(5000),
      { 'Idempotency-Key': 'deep-1' },
    ],
    ['Content-Encoding gzip on a plain body', '{"imageURL":"x"}', { 'Content-Encoding': 'gzip' }],
    ['an unknown Content-Encoding', '{}', { 'Content-Encoding': 'x-zip' }],
    ['a charset other than UTF-8', '{}', { 'Content-Type': 'application/json; charset=koi8-r' }],
    ['broken JSON', '{"imageURL": ', {}],
    ['a body over 1 MiB', JSON.stringify({ configDriveUserData: 'x'.repeat(1_100_000) }), {}],
  ])('%s → 4xx before any route', async (what, body, headers) => {
    const before = upstreamCalls();
    const res = await operator
      .post(`/api/servers/${ABSENT}/install`)
      .set({ 'Content-Type': 'application/json', ...headers })
      .send(body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    judge(res.status, res.body, before, what);
  });

  it.each([
    ['a NUL in a header value', { httpHeaders: [{ name: 'Authorization', value: 'a\u0000b' }] }],
    [
      'a non-Latin-1 header value',
      { httpHeaders: [{ name: 'Authorization', value: 'Bearer 😀' }] },
    ],
    ['a lone surrogate in the URL', { imageURL: 'https://images.example.com/a\ud800.raw' }],
    [
      'a URL whose host parsers read differently',
      { imageURL: 'https://images.example.com\\@127.0.0.1/a.raw' },
    ],
    ['a URL whose host WHATWG rewrites', { imageURL: 'https://0x7f.1/a.raw' }],
  ])('%s → 400 on the image check and the install, nothing sent', async (what, fields) => {
    const form = {
      imageURL: 'https://images.example.com/a.raw',
      imageType: 'raw',
      efiBootloaderPath: '\\efi\\boot\\bootx64.efi',
      ...fields,
    };
    for (const path of ['preflight', 'install']) {
      const before = upstreamCalls();
      const res = await operator.post(`/api/servers/${ABSENT}/${path}`).send(form);
      expect(res.status).toBe(400);
      judge(res.status, res.body, before, `${what} (${path})`);
    }
  });

  it.each(['.', '..', 'a..b', '-ns1', 'ns1%2F..', 'ns1 x'])(
    'the server name %j → 400, nothing sent',
    async (name) => {
      const before = upstreamCalls();
      const res = await operator.get(`/api/servers/${encodeURIComponent(name)}`);
      expect(res.status).toBe(400);
      judge(res.status, res.body, before, `server ${name}`);
    },
  );

  it('a replay with the same key and the same body in another key order is the same request', async () => {
    const a = {
      imageURL: 'https://images.example.com/a.raw',
      imageType: 'raw',
      efiBootloaderPath: '\\efi\\boot\\bootx64.efi',
    };
    const b = {
      efiBootloaderPath: a.efiBootloaderPath,
      imageType: a.imageType,
      imageURL: a.imageURL,
    };
    const first = await operator
      .post(`/api/servers/${ABSENT}/install`)
      .set('Idempotency-Key', 'order-1')
      .send(a);
    const replay = await operator
      .post(`/api/servers/${ABSENT}/install`)
      .set('Idempotency-Key', 'order-1')
      .send(b);
    expect(replay.status).toBe(first.status);
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });
});

// ---- fuzzing ----

const VALID = {
  imageURL: 'https://images.example.com/debian-12.raw',
  imageType: 'raw',
  efiBootloaderPath: '\\efi\\boot\\bootx64.efi',
};
const FIELDS = [
  ...INSTALL_FORM_FIELDS,
  'checksumFileURL',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'x',
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const control = fc
  .integer({ min: 0, max: 0x9f })
  .filter((c) => c < 0x20 || c >= 0x7f)
  .map((c) => String.fromCharCode(c));
const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.oneof(
      fc.constantFrom('a', '/', '\\', '%', '@', ':', '.', '?', '#', ' '),
      control,
      loneSurrogate,
    ),
    maxLength: 30,
  }),
  fc.constantFrom(
    'https://images.example.com\\@127.0.0.1/a.raw',
    'https://%31%32%37.0.0.1/a',
    'http://[::1]/a',
    'https:///a.raw',
    'javascript:alert(1)',
    '..',
    '%ZZ',
    'x'.repeat(70_000),
  ),
  fc.webUrl().map((u) => `${u}/a.raw`),
);
const anyValue = fc.oneof(
  hostile,
  fc.jsonValue({ maxDepth: 4 }),
  fc.array(fc.record({ name: hostile, value: hostile }), { maxLength: 12 }),
  fc.constant(undefined),
);

/** A valid form with some fields replaced or added. */
const mutatedForm = fc
  .array(fc.tuple(fc.constantFrom(...FIELDS), anyValue), { minLength: 1, maxLength: 4 })
  .map((changes) => {
    const form: Record<string, unknown> = { ...VALID };
    for (const [key, value] of changes)
      Object.defineProperty(form, key, {
        value,
        enumerable: true,
        configurable: true,
        writable: true,
      });
    return JSON.stringify(form);
  });
const deep = fc.integer({ min: 20, max: 3000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`);
const body = fc.oneof(
  { weight: 6, arbitrary: mutatedForm },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=latin1',
);
const encoding = fc.constantFrom(
  undefined,
  undefined,
  undefined,
  'gzip',
  'deflate',
  'br',
  'identity',
  'x-zip',
);

describe('fuzzing', () => {
  it.each(['install', 'preflight', 'preflight/verify'])(
    'POST …/%s: never a 5xx, refusals cost OVH nothing',
    async (route) => {
      await fc.assert(
        fc.asyncProperty(
          body,
          contentType,
          encoding,
          fc.option(fc.string({ maxLength: 300 })),
          async (text, type, enc, key) => {
            const before = upstreamCalls();
            let request = operator
              .post(`/api/servers/${ABSENT}/${route}`)
              .set('Content-Type', type);
            if (enc) request = request.set('Content-Encoding', enc);
            try {
              if (key !== null) request = request.set('Idempotency-Key', key);
            } catch {
              // A key the HTTP client itself refuses to send: not the console's concern.
            }
            const res = await request.send(text);
            judge(
              res.status,
              res.body,
              before,
              `${route} ${type} ${enc ?? ''} ${text.slice(0, 200)}`,
            );
          },
        ),
        { numRuns: 150, seed: SEED },
      );
    },
    120_000,
  );

  it('GET /api/servers/<any segment>: never a 5xx, a bad name costs OVH nothing', async () => {
    // A name with a lone surrogate cannot even be put in a URL by the client: left out.
    const segment = fc
      .oneof(hostile, fc.domain(), fc.string({ unit: 'binary', maxLength: 30 }))
      .filter((name) => !/\p{Cs}/u.test(name))
      // Over 16 KiB the request line is refused by the HTTP server itself (a raw case above):
      // an HTTP client still writing it may lose that answer to the connection's reset.
      .filter((name) => encodeURIComponent(name).length < 8000);
    await fc.assert(
      fc.asyncProperty(
        segment,
        fc.constantFrom('', '/install', '/install/cancel', '/hardware'),
        async (name, tail) => {
          const before = upstreamCalls();
          const res = await operator.get(`/api/servers/${encodeURIComponent(name)}${tail}`);
          judge(res.status, res.body, before, `GET server ${JSON.stringify(name)}${tail}`);
        },
      ),
      { numRuns: 200, seed: SEED },
    );
  }, 120_000);

  it('the image library and the install history: never a 5xx, refusals change nothing', async () => {
    const created = await operator.post('/api/images').send({
      name: 'Probe image',
      version: { imageURL: 'https://images.example.com/a.raw', imageType: 'raw' },
    });
    expect(created.status, created.text).toBe(201);
    const id = (created.body as { image: { id: string } }).image.id;
    const version = fc.record(
      {
        imageURL: anyValue,
        imageType: anyValue,
        imageCheckSum: anyValue,
        imageCheckSumType: anyValue,
        checksumFileURL: anyValue,
        efiBootloaderPath: anyValue,
        httpHeaders: anyValue,
        notes: anyValue,
      },
      { requiredKeys: [] },
    );
    const request = fc.oneof(
      fc
        .record({ name: anyValue, notes: anyValue, version: fc.oneof(version, anyValue) })
        .map((b) => ({ method: 'post' as const, path: '/api/images', body: b })),
      fc
        .record({ name: anyValue, notes: anyValue }, { requiredKeys: [] })
        .map((b) => ({ method: 'patch' as const, path: `/api/images/${id}`, body: b })),
      version.map((b) => ({
        method: 'post' as const,
        path: `/api/images/${id}/versions`,
        body: b,
      })),
      fc.tuple(fc.constantFrom('install', 'preflight'), anyValue).map(([route, ref]) => ({
        method: 'post' as const,
        path: `/api/servers/${ABSENT}/${route}`,
        body: { ...VALID, libraryImage: ref },
      })),
      fc
        .tuple(hostile, fc.constantFrom('', '/installs', '/versions'))
        .filter(([seg]) => !/\p{Cs}/u.test(seg) && encodeURIComponent(seg).length < 8000)
        .map(([seg, tail]) => ({
          method: 'get' as const,
          path: `/api/images/${encodeURIComponent(seg)}${tail}`,
          body: undefined,
        })),
      fc
        .tuple(hostile, hostile)
        .filter(([a, b]) => !/\p{Cs}/u.test(a + b) && encodeURIComponent(a + b).length < 8000)
        .map(([limit, cursor]) => ({
          method: 'get' as const,
          path: `/api/servers/${ABSENT}/installs?limit=${encodeURIComponent(limit)}&cursor=${encodeURIComponent(cursor)}`,
          body: undefined,
        })),
      hostile
        .filter((seg) => !/\p{Cs}/u.test(seg) && encodeURIComponent(seg).length < 8000)
        .map((seg) => ({
          method: 'get' as const,
          path: `/api/installs/${encodeURIComponent(seg)}`,
          body: undefined,
        })),
    );
    const versionsBefore = (await operator.get(`/api/images/${id}`)).body as {
      versions: unknown[];
    };
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, body: sent }) => {
        const before = upstreamCalls();
        const res =
          sent === undefined
            ? await operator[method](path)
            : await operator[method](path)
                .set('Content-Type', 'application/json')
                .send(JSON.stringify(sent));
        if (res.status < 300 && method !== 'get') accepted += 1;
        judge(
          res.status,
          res.body,
          before,
          `${method.toUpperCase()} ${path} ${JSON.stringify(sent ?? null).slice(0, 200)}`,
        );
      }),
      { numRuns: 200, seed: SEED },
    );
    // What was refused added no version: only accepted requests may have.
    const after = (await operator.get(`/api/images/${id}`)).body as { versions: unknown[] };
    expect(after.versions.length - versionsBefore.versions.length).toBeLessThanOrEqual(accepted);
  }, 120_000);

  it('rollouts and webhooks: never a 5xx, refused plans store nothing and cost OVH nothing', async () => {
    const plan = fc.record(
      {
        canary: anyValue,
        batchSize: anyValue,
        maxInFlight: anyValue,
        maxFailures: anyValue,
        pauseAfterCanary: anyValue,
        onBlocked: anyValue,
      },
      { requiredKeys: [] },
    );
    const image = fc.oneof(
      fc.record(
        {
          imageURL: anyValue,
          imageType: anyValue,
          imageCheckSum: anyValue,
          httpHeaders: anyValue,
          efiBootloaderPath: anyValue,
          checksumFileURL: anyValue,
        },
        { requiredKeys: [] },
      ),
      fc.record({ libraryImageId: anyValue, version: anyValue }, { requiredKeys: [] }),
      anyValue,
    );
    const servers = fc.oneof(
      fc.array(fc.oneof(hostile, fc.constant(ABSENT)), { maxLength: 4 }),
      fc.record({ search: anyValue, datacenter: anyValue }, { requiredKeys: [] }),
      anyValue,
    );
    const pathSegment = hostile.filter(
      (seg) => !/\p{Cs}/u.test(seg) && encodeURIComponent(seg).length < 8000,
    );
    const request = fc.oneof(
      fc
        .record(
          {
            name: fc.oneof(anyValue, fc.constant('Probe rollout')),
            servers,
            image,
            customizations: fc.oneof(
              fc.record(
                { configDriveUserData: anyValue, sshKey: anyValue, customHostname: anyValue },
                { requiredKeys: [] },
              ),
              anyValue,
            ),
            plan: fc.oneof(plan, anyValue),
          },
          { requiredKeys: [] },
        )
        .map((b) => ({ method: 'post' as const, path: '/api/rollouts', body: b })),
      fc
        .tuple(pathSegment, fc.constantFrom('start', 'pause', 'resume', 'abort'), anyValue)
        .map(([seg, verb, body]) => ({
          method: 'post' as const,
          path: `/api/rollouts/${encodeURIComponent(seg)}/${verb}`,
          body: body,
        })),
      fc.tuple(pathSegment, pathSegment).map(([limit, cursor]) => ({
        method: 'get' as const,
        path: `/api/rollouts?limit=${encodeURIComponent(limit)}&cursor=${encodeURIComponent(cursor)}`,
        body: undefined,
      })),
      pathSegment.map((seg) => ({
        method: 'get' as const,
        path: `/api/rollouts/${encodeURIComponent(seg)}`,
        body: undefined,
      })),
      fc
        .record({ url: anyValue, events: anyValue, description: anyValue }, { requiredKeys: [] })
        .map((b) => ({ method: 'post' as const, path: '/api/webhooks', body: b })),
    );
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, body: sent }) => {
        const before = upstreamCalls();
        const res =
          sent === undefined
            ? await operator[method](path)
            : await operator[method](path)
                .set('Content-Type', 'application/json')
                .send(JSON.stringify(sent));
        judge(
          res.status,
          res.body,
          before,
          `${method.toUpperCase()} ${path} ${JSON.stringify(sent ?? null).slice(0, 200)}`,
        );
      }),
      { numRuns: 250, seed: SEED },
    );
    // Nothing the fuzzer sent was a plan the console could accept: no rollout was stored.
    const list = (await operator.get('/api/rollouts')).body as { rollouts: unknown[] };
    expect(list.rollouts).toEqual([]);
    expect(h.sim.admin.requests()).toEqual([]);
  }, 180_000);

  it('POST /api/session: never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.record({ username: anyValue, password: anyValue }).map((v) => JSON.stringify(v)),
          deep,
        ),
        async (text) => {
          const before = upstreamCalls();
          const res = await browserAgent(server)
            .post('/api/session')
            .set('Content-Type', 'application/json')
            .send(text);
          judge(res.status, res.body, before, `sign-in ${text.slice(0, 200)}`);
        },
      ),
      { numRuns: 150, seed: SEED },
    );
  }, 120_000);
});
