import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAddressGuard, type AddressGuard } from '../preflight/addressGuard.ts';
import {
  DEFAULT_RETRY_POLICY,
  WEBHOOK_USER_AGENT,
  backoffDelay,
  createDeliverer,
  retryAfterMs,
  type AttemptRecord,
  type DelivererOptions,
  type DeliveryResult,
  type WebhookTarget,
} from './delivery.ts';
import { newWebhookEvent, type WebhookEvent } from './event.ts';
import { createGuardedPost } from './guardedPost.ts';
import { newWebhookSecret, verify, type VerifyResult } from './signature.ts';

/** What the receiver will do with the next request; it answers 200 once the script runs out. */
type Behaviour =
  { status: number; headers?: Record<string, string> } | 'hang' | 'drop' | { redirectTo: string };

interface Received {
  url: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The receiver's own check, with the secret it was given. */
  verified: VerifyResult;
}

const secret = newWebhookSecret();
const received: Received[] = [];
let script: Behaviour[] = [];
let receiverSecrets: string[] = [secret];
const hanging: ServerResponse[] = [];
let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const checks = receiverSecrets.map((s) => verify(s, req.headers, body));
      received.push({
        url: req.url ?? '',
        method: req.method ?? '',
        headers: req.headers,
        body,
        verified: checks.find((c) => c.ok) ?? checks[0] ?? { ok: false, reason: 'no-match' },
      });
      const next = script.shift() ?? { status: 200 };
      if (next === 'hang') hanging.push(res);
      else if (next === 'drop') req.socket.destroy();
      else if ('redirectTo' in next) res.writeHead(302, { location: next.redirectTo }).end();
      else res.writeHead(next.status, next.headers).end('receiver says hi');
    });
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  base = `http://127.0.0.1:${port}`;
});

afterEach(() => {
  received.length = 0;
  script = [];
  receiverSecrets = [secret];
  for (const res of hanging.splice(0)) res.destroy();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const loopbackGuard = createAddressGuard({ allowHosts: [], allowLoopback: true });

/** A deliverer with a fake sleep that records the backoff schedule instead of waiting it out. */
function setup(
  options: { guard?: AddressGuard; timeoutMs?: number } & Partial<DelivererOptions> = {},
) {
  const sleeps: number[] = [];
  const attempts: AttemptRecord[] = [];
  const deliver = createDeliverer({
    post: createGuardedPost({
      guard: options.guard ?? loopbackGuard,
      timeoutMs: options.timeoutMs ?? 2_000,
    }),
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: options.random ?? (() => 0),
    ...(options.retry ? { retry: options.retry } : {}),
  });
  const run = (event: WebhookEvent, target: WebhookTarget): Promise<DeliveryResult> =>
    deliver(event, target, (a) => attempts.push(a));
  return { run, sleeps, attempts };
}

const event = () =>
  newWebhookEvent('rollout.canary_passed', { rolloutId: 'ro_1', canary: 'ns0000001.ip-1-2-3.eu' });

describe('deliver: a signed POST the receiver verifies', () => {
  it('sends the event as JSON with signature headers that verify', async () => {
    const { run, attempts, sleeps } = setup();
    const e = event();
    const result = await run(e, { url: `${base}/hooks/console?team=ops`, secrets: [secret] });

    expect(result).toEqual({ outcome: 'delivered', attempts: 1 });
    expect(sleeps).toEqual([]);
    expect(received).toHaveLength(1);
    const [got] = received;
    expect(got?.method).toBe('POST');
    expect(got?.url).toBe('/hooks/console?team=ops');
    expect(got?.verified.ok).toBe(true);
    expect(JSON.parse(got?.body ?? '')).toEqual({
      id: e.id,
      type: 'rollout.canary_passed',
      createdAt: e.createdAt,
      data: { rolloutId: 'ro_1', canary: 'ns0000001.ip-1-2-3.eu' },
    });
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.headers['user-agent']).toBe(WEBHOOK_USER_AGENT);
    expect(got?.headers['x-byoi-webhook-id']).toBe(e.id);
    expect(got?.headers['x-byoi-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(attempts).toEqual([
      {
        attempt: 1,
        at: expect.any(String),
        durationMs: expect.any(Number),
        retryInMs: null,
        status: 200,
      },
    ]);
  });

  it('a receiver with a different secret refuses it', async () => {
    receiverSecrets = [newWebhookSecret()];
    const { run } = setup();
    await run(event(), { url: `${base}/hook`, secrets: [secret] });
    expect(received[0]?.verified).toEqual({ ok: false, reason: 'no-match' });
  });

  it('during a rotation signs with both secrets, so either receiver verifies', async () => {
    const next = newWebhookSecret();
    const { run } = setup();
    for (const known of [[secret], [next]]) {
      receiverSecrets = known;
      await run(event(), { url: `${base}/hook`, secrets: [next, secret] });
    }
    expect(received.map((r) => r.verified.ok)).toEqual([true, true]);
    expect(received[0]?.headers['x-byoi-signature']?.toString().split(' ')).toHaveLength(2);
  });
});

describe('deliver: retries', () => {
  it('retries 500, 429, a timeout and a dropped connection with exponential backoff', async () => {
    script = [{ status: 500 }, { status: 429 }, 'hang', 'drop', { status: 204 }];
    const { run, sleeps, attempts } = setup({ timeoutMs: 200 });
    const e = event();
    const result = await run(e, { url: `${base}/hook`, secrets: [secret] });

    expect(result).toEqual({ outcome: 'delivered', attempts: 5 });
    expect(sleeps).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(attempts.map((a) => ('status' in a ? a.status : a.error))).toEqual([
      500,
      429,
      '127.0.0.1 did not answer within 200 ms.',
      '127.0.0.1 closed the connection unexpectedly.',
      204,
    ]);
    expect(attempts.map((a) => a.retryInMs)).toEqual([1_000, 2_000, 4_000, 8_000, null]);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5]);
    // Every attempt was signed afresh and verified; the body and event id never changed.
    expect(received).toHaveLength(5);
    expect(received.every((r) => r.verified.ok)).toBe(true);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect(new Set(received.map((r) => r.headers['x-byoi-webhook-id'])).size).toBe(1);
  });

  it('gives up after maxAttempts on a receiver that keeps failing', async () => {
    script = Array.from({ length: 10 }, () => ({ status: 503 }));
    const { run, sleeps, attempts } = setup({ retry: { maxAttempts: 4 } });
    const result = await run(event(), { url: `${base}/hook`, secrets: [secret] });
    expect(result).toEqual({ outcome: 'failed', attempts: 4 });
    expect(received).toHaveLength(4);
    expect(sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(attempts.at(-1)).toMatchObject({ attempt: 4, status: 503, retryInMs: null });
  });

  it('also retries a refused connection (nothing listening)', async () => {
    const closed = http.createServer();
    const port = await new Promise<number>((resolve) =>
      closed.listen(0, '127.0.0.1', () => resolve((closed.address() as AddressInfo).port)),
    );
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { run, attempts } = setup({ retry: { maxAttempts: 2 } });
    const result = await run(event(), { url: `http://127.0.0.1:${port}/hook`, secrets: [secret] });
    expect(result).toEqual({ outcome: 'failed', attempts: 2 });
    expect(attempts[0]).toMatchObject({ error: '127.0.0.1 refused the connection.' });
  });

  it('waits at least as long as Retry-After asks, in seconds or as a date', async () => {
    const inTwentySeconds = new Date(Date.now() + 20_000).toUTCString();
    script = [
      { status: 429, headers: { 'retry-after': '7' } },
      { status: 503, headers: { 'retry-after': inTwentySeconds } },
      { status: 503, headers: { 'retry-after': '0' } },
    ];
    const { run, sleeps } = setup();
    const result = await run(event(), { url: `${base}/hook`, secrets: [secret] });
    expect(result.outcome).toBe('delivered');
    expect(sleeps[0]).toBe(7_000);
    expect(sleeps[1]).toBeGreaterThan(18_000);
    expect(sleeps[1]).toBeLessThanOrEqual(20_000);
    // A shorter Retry-After than the backoff does not shorten the backoff.
    expect(sleeps[2]).toBe(4_000);
  });

  it('gives up rather than retry sooner than a Retry-After beyond maxDelayMs', async () => {
    script = [{ status: 503, headers: { 'retry-after': '86400' } }];
    const { run, sleeps, attempts } = setup();
    const result = await run(event(), { url: `${base}/hook`, secrets: [secret] });
    expect(result).toEqual({ outcome: 'failed', attempts: 1 });
    expect(sleeps).toEqual([]);
    expect(attempts[0]).toMatchObject({ status: 503, retryInMs: null });
  });

  it.each([400, 401, 404, 410, 422])('does not retry a %i', async (status) => {
    script = [{ status }];
    const { run, sleeps, attempts } = setup();
    const result = await run(event(), { url: `${base}/hook`, secrets: [secret] });
    expect(result).toEqual({ outcome: 'failed', attempts: 1 });
    expect(received).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(attempts).toEqual([expect.objectContaining({ status, retryInMs: null })]);
  });

  it('does not follow a redirect', async () => {
    script = [{ redirectTo: `${base}/elsewhere` }];
    const { run, sleeps, attempts } = setup();
    const result = await run(event(), { url: `${base}/hook`, secrets: [secret] });
    expect(result).toEqual({ outcome: 'failed', attempts: 1 });
    expect(received.map((r) => r.url)).toEqual(['/hook']);
    expect(sleeps).toEqual([]);
    expect(attempts).toEqual([expect.objectContaining({ status: 302, retryInMs: null })]);
  });
});

describe('backoffDelay and retryAfterMs', () => {
  const policy = DEFAULT_RETRY_POLICY;

  it('doubles from baseDelayMs, caps at maxDelayMs, and jitter only shortens it', () => {
    expect([1, 2, 3, 4].map((r) => backoffDelay(r, policy, () => 0))).toEqual([
      1_000, 2_000, 4_000, 8_000,
    ]);
    expect(backoffDelay(20, policy, () => 0)).toBe(policy.maxDelayMs);
    for (const r of [0, 0.25, 0.5, 0.999]) {
      const d = backoffDelay(3, policy, () => r);
      expect(d).toBeGreaterThan(2_000);
      expect(d).toBeLessThanOrEqual(4_000);
    }
  });

  it('reads delay-seconds and HTTP dates, and ignores junk', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('12', now)).toBe(12_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(undefined, now)).toBeNull();
  });
});

describe('deliver: the address guard', () => {
  it('refuses loopback when it is not allowed, and no request leaves', async () => {
    const guard = createAddressGuard({ allowHosts: [], allowLoopback: false });
    const { run, sleeps, attempts } = setup({ guard });
    const result = await run(event(), { url: `${base}/hook`, secrets: [secret] });
    expect(result).toEqual({ outcome: 'refused', attempts: 1 });
    expect(received).toEqual([]);
    expect(sleeps).toEqual([]);
    expect(attempts).toEqual([
      expect.objectContaining({
        retryInMs: null,
        error: expect.stringContaining('a loopback address'),
      }),
    ]);
  });

  it('refuses a name that resolves to a private address, before connecting', async () => {
    const connect = vi.fn<(host: string) => Promise<{ address: string; family: number }[]>>(() =>
      Promise.resolve([{ address: '10.20.30.40', family: 4 }]),
    );
    const guard = createAddressGuard({ allowHosts: [], allowLoopback: false, resolver: connect });
    const { run, attempts } = setup({ guard });
    const result = await run(event(), {
      url: 'https://hooks.internal.example/x',
      secrets: [secret],
    });
    expect(result.outcome).toBe('refused');
    expect(connect).toHaveBeenCalledWith('hooks.internal.example');
    expect(attempts[0]).toMatchObject({
      error: expect.stringContaining('resolves to 10.20.30.40, a private address'),
    });
  });

  it('lets an allow-listed address through, as PREFLIGHT_ALLOW_HOSTS does', async () => {
    const guard = createAddressGuard({ allowHosts: ['127.0.0.0/8'], allowLoopback: false });
    const { run } = setup({ guard });
    const result = await run(event(), { url: `${base}/hook`, secrets: [secret] });
    expect(result.outcome).toBe('delivered');
    expect(received).toHaveLength(1);
  });

  it('refuses a URL that is not http(s) without trying it', async () => {
    const { run, attempts } = setup();
    for (const url of ['ftp://127.0.0.1/hook', 'not a url', 'file:///etc/passwd']) {
      expect(await run(event(), { url, secrets: [secret] })).toEqual({
        outcome: 'refused',
        attempts: 1,
      });
    }
    expect(received).toEqual([]);
    expect(attempts).toHaveLength(3);
  });
});

describe('deliver: the secret stays secret', () => {
  it('appears in no attempt record, result, thrown error, log line or sent header', async () => {
    const next = newWebhookSecret();
    const secrets = [secret, next];
    const logged: unknown[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void logged.push(args)),
    );
    const captured: unknown[] = [];
    const refusing = createAddressGuard({ allowHosts: [], allowLoopback: false });
    const scenarios: { script: Behaviour[]; url: string; guard?: AddressGuard }[] = [
      { script: [], url: `${base}/ok` },
      { script: [{ status: 500 }, 'hang', 'drop', { status: 429 }], url: `${base}/retry` },
      { script: [{ status: 400 }], url: `${base}/bad` },
      { script: [{ redirectTo: '/elsewhere' }], url: `${base}/redirect` },
      { script: [], url: `${base}/refused`, guard: refusing },
      { script: [], url: 'gopher://127.0.0.1/' },
    ];
    try {
      for (const s of scenarios) {
        script = [...s.script];
        const { run, attempts } = setup({ timeoutMs: 150, ...(s.guard ? { guard: s.guard } : {}) });
        try {
          captured.push(await run(event(), { url: s.url, secrets }));
        } catch (error) {
          captured.push(
            error instanceof Error ? { message: error.message, stack: error.stack } : error,
          );
        }
        captured.push(...attempts);
      }
      // A misconfigured hook is the one thing that throws: its message must not echo anything.
      const { run } = setup();
      await run(event(), { url: `${base}/ok`, secrets: [] }).catch((error: unknown) =>
        captured.push(
          error instanceof Error ? { message: error.message, stack: error.stack } : error,
        ),
      );
    } finally {
      for (const spy of spies) spy.mockRestore();
    }

    expect(captured.length).toBeGreaterThan(10);
    const everything = JSON.stringify({ captured, logged });
    const sentHeaders = JSON.stringify(received.map((r) => r.headers));
    for (const s of secrets) {
      const randomPart = s.slice('whsec_'.length);
      expect(everything).not.toContain(randomPart);
      expect(sentHeaders).not.toContain(randomPart);
    }
    expect(received.length).toBeGreaterThan(5);
  });
});
