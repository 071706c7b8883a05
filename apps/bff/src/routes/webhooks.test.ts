/**
 * The webhooks through the real app: operators register, change, rotate and delete them, viewers
 * read them, each change is audited; bad bodies are refused with a sentence and store nothing; a
 * URL on a private or loopback host is refused unless allowed; the secret is in the creation's
 * (and the rotation's) answer and nowhere else. And end to end: an install started through the
 * app ends, and its `install.finished` reaches a real receiver once, signed with both secrets.
 */
import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import type {
  ApiErrorBody,
  AuditEntryDto,
  CreateWebhookResponse,
  InstallProgressDto,
  WebhookDeliveriesResponse,
  WebhookDto,
  WebhookListResponse,
} from '@byoi/shared';
import { WEBHOOK_EVENT_TYPES } from '@byoi/shared';
import { eventually, fieldsInError, startHarness, type Harness } from '../testing/harness.ts';
import { OPERATOR, VIEWER, type TestAgent } from '../testing/users.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../testing/webhookReceiver.ts';

let h: Harness;
let receiver: WebhookReceiver;
let operator: TestAgent;
let viewer: TestAgent;
/** Every answer of this file, to search for secrets. */
const answers: Response[] = [];
const keep = <T extends Response>(res: T): T => {
  answers.push(res);
  return res;
};

beforeAll(async () => {
  [h, receiver] = await Promise.all([
    startHarness({
      WEBHOOK_POLL_MS: '20',
      SIMULATOR_CLOCK_SPEED: '1000',
      INSTALL_WATCH_INTERVAL_MS: '50',
    }),
    startWebhookReceiver(),
  ]);
  operator = await h.signIn(OPERATOR);
  viewer = await h.signIn(VIEWER);
}, 120_000);
afterAll(async () => {
  await h.close();
  await receiver.close();
});
beforeEach(async () => {
  receiver.reset();
  await h.store.db.deleteFrom('webhook_deliveries').execute();
  await h.store.db.deleteFrom('webhooks').execute();
});

async function create(
  body: Record<string, unknown> = { url: receiver.url },
  agent = operator,
): Promise<CreateWebhookResponse> {
  const res = keep(await agent.post('/api/webhooks').send(body));
  expect(res.status, res.text).toBe(201);
  return res.body as CreateWebhookResponse;
}

const storedCount = async () =>
  Number(
    (
      await h.store.db
        .selectFrom('webhooks')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

async function auditEntries(): Promise<AuditEntryDto[]> {
  await h.audit.flush();
  return h.audit.recent(500);
}

describe('registering a webhook', () => {
  const long = `https://hooks.example.com/${'a'.repeat(2000)}`;
  it.each([
    [{ url: undefined }, 'url', /Enter the webhook URL/],
    [{ url: 42 }, 'url', /url must be text/],
    [{ url: '' }, 'url', /Enter the webhook URL/],
    [{ url: 'ftp://hooks.example.com/x' }, 'url', /must start with https:\/\//],
    [{ url: 'hooks.example.com/x' }, 'url', /must start with https:\/\//],
    [{ url: 'https://hooks example.com/' }, 'url', /space/],
    [{ url: long }, 'url', /2026 characters long; at most 2000/],
    [{ url: 'https:///x' }, 'url', /no host name/],
    [{ url: 'https://bot:pw@hooks.example.com/x' }, 'url', /user name or password/],
    [{ url: 'https://hooks.example.com/x#top' }, 'url', /#fragment/],
    [{ url: 'https://[::1/x' }, 'url', /not a valid web address/],
    [
      { events: ['install.finished', 'install.started'] },
      'events.1',
      /"install.started" is not an event/,
    ],
    [{ events: [] }, 'events', /events is empty/],
    [{ events: 'install.finished' }, 'events', /must be a list of event names/],
    [{ description: 'x'.repeat(501) }, 'description', /longer than 500/],
    [{ description: 7 }, 'description', /description must be text/],
    [
      { secret: 'whsec_mine' },
      '_form',
      /unknown field "secret".*accepted fields: url, events, description/,
    ],
  ])('refuses %j with 400, naming %s, and stores nothing', async (fields, field, message) => {
    // A field left undefined is left out of the JSON.
    const body = { url: receiver.url, ...fields };
    const res = keep(await operator.post('/api/webhooks').send(body));
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(fieldsInError(res.body)).toContain(field);
    expect(res.body.error.message).toMatch(
      /^The new webhook has a problem, so nothing was saved\./,
    );
    const messages = (res.body as ApiErrorBody).error.details?.fieldErrors?.[field] ?? [];
    expect(messages.join('\n')).toMatch(message);
    expect(await storedCount()).toBe(0);
  });

  it('refuses a body that is not a JSON object', async () => {
    const text = keep(
      await operator.post('/api/webhooks').set('content-type', 'text/plain').send('url=x'),
    );
    expect(text.status).toBe(415);
    const array = keep(await operator.post('/api/webhooks').send([receiver.url]));
    expect(array.status).toBe(400);
    expect(array.body.error.message).toMatch(/must be a JSON object with the fields url/);
    expect(await storedCount()).toBe(0);
  });

  it('answers the secret once; no later answer, audit entry, log line or column has it', async () => {
    const { webhook, secret } = await create({
      url: receiver.url,
      events: ['install.finished', 'rollout.done', 'install.finished'],
      description: '  Ops chat  ',
    });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(webhook).toEqual({
      id: expect.stringMatching(/^wh_/),
      url: receiver.url,
      events: ['install.finished', 'rollout.done'],
      description: 'Ops chat',
      enabled: true,
      createdBy: OPERATOR.username,
      createdAt: expect.any(String),
      lastDelivery: null,
    });
    const list = keep(await viewer.get('/api/webhooks'));
    expect(list.status).toBe(200);
    expect((list.body as WebhookListResponse).webhooks).toEqual([webhook]);
    expect(keep(await viewer.get(`/api/webhooks/${webhook.id}`)).body).toEqual(webhook);
    const deliveries = keep(await viewer.get(`/api/webhooks/${webhook.id}/deliveries`));
    expect(deliveries.body).toEqual({ deliveries: [] } satisfies WebhookDeliveriesResponse);
    keep(await operator.patch(`/api/webhooks/${webhook.id}`).send({ description: 'renamed' }));

    const row = await h.store.db
      .selectFrom('webhooks')
      .selectAll()
      .where('id', '=', webhook.id)
      .executeTakeFirstOrThrow();
    expect(row.secret).toMatch(/^v1\./);
    const later = answers.slice(answers.findIndex((a) => a.body?.secret === secret) + 1);
    const randomPart = secret.slice('whsec_'.length);
    expect(later.length).toBeGreaterThan(3);
    expect(JSON.stringify(later.map((a) => a.text))).not.toContain(randomPart);
    expect(JSON.stringify(await auditEntries())).not.toContain(randomPart);
    expect(JSON.stringify(row)).not.toContain(randomPart);
    // The log has the answers' request lines and the audit lines: none has the secret.
    expect(h.logLines.join('\n')).not.toContain(randomPart);
  });

  it('defaults to every event, and is audited with its id and host (never its path)', async () => {
    const { webhook } = await create({ url: `${receiver.url}&token=abc` });
    expect(webhook.events).toEqual([...WEBHOOK_EVENT_TYPES]);
    const entry = (await auditEntries()).find((e) => e.event === 'webhook-create');
    expect(entry).toMatchObject({
      outcome: 'success',
      user: OPERATOR.username,
      role: 'operator',
      method: 'POST',
      route: '/api/webhooks',
      status: 201,
      message: expect.stringContaining(`webhook ${webhook.id} to http://127.0.0.1:`),
    });
    expect(entry?.message).not.toContain('token=abc');
    expect(entry?.message).not.toContain('/hooks/byoi');
  });
});

describe('changing a webhook', () => {
  it('changes events, description and enabled, and audits it', async () => {
    const { webhook } = await create();
    const res = keep(
      await operator
        .patch(`/api/webhooks/${webhook.id}`)
        .send({ events: ['rollout.failed'], description: 'pager', enabled: false }),
    );
    expect(res.status).toBe(200);
    expect(res.body as WebhookDto).toMatchObject({
      id: webhook.id,
      events: ['rollout.failed'],
      description: 'pager',
      enabled: false,
    });
    const entry = (await auditEntries()).find((e) => e.event === 'webhook-update');
    expect(entry).toMatchObject({ route: `/api/webhooks/${webhook.id}`, status: 200 });
  });

  it.each([
    [{ url: 'https://elsewhere.example/' }, /unknown field "url".*create a new webhook/],
    [{}, /is empty\. Send at least one of events, description, enabled/],
    [{ enabled: 'yes' }, /enabled must be true or false/],
    [{ events: ['rollout.exploded'] }, /"rollout.exploded" is not an event/],
  ])('refuses %j with 400 and changes nothing', async (body, message) => {
    const { webhook } = await create();
    const res = keep(await operator.patch(`/api/webhooks/${webhook.id}`).send(body));
    expect(res.status, res.text).toBe(400);
    expect((res.body as ApiErrorBody).error.message).toMatch(message);
    expect(keep(await operator.get(`/api/webhooks/${webhook.id}`)).body).toEqual(webhook);
  });

  it('answers 404 for a webhook that does not exist, or no longer does', async () => {
    const { webhook } = await create();
    const deleted = keep(await operator.delete(`/api/webhooks/${webhook.id}`));
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: webhook.id });
    expect((keep(await viewer.get('/api/webhooks')).body as WebhookListResponse).webhooks).toEqual(
      [],
    );
    for (const res of [
      await operator.get(`/api/webhooks/${webhook.id}`),
      await operator.get(`/api/webhooks/${webhook.id}/deliveries`),
      await operator.patch(`/api/webhooks/${webhook.id}`).send({ enabled: true }),
      await operator.post(`/api/webhooks/${webhook.id}/rotate-secret`),
      await operator.delete(`/api/webhooks/${webhook.id}`),
      await operator.get('/api/webhooks/wh_nope'),
    ]) {
      keep(res);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    const events = (await auditEntries()).map((e) => e.event);
    expect(events.filter((e) => e === 'webhook-delete')).toHaveLength(1);
    // Kept, marked deleted: its deliveries still name it.
    const row = await h.store.db
      .selectFrom('webhooks')
      .select('deleted_at')
      .where('id', '=', webhook.id)
      .executeTakeFirstOrThrow();
    expect(row.deleted_at).not.toBeNull();
  });

  it('rotates the secret: the new one is answered once, and differs', async () => {
    const { webhook, secret } = await create();
    const res = keep(await operator.post(`/api/webhooks/${webhook.id}/rotate-secret`));
    expect(res.status).toBe(200);
    const rotated = res.body as CreateWebhookResponse;
    expect(rotated.webhook.id).toBe(webhook.id);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
    const entry = (await auditEntries()).find(
      (e) => e.event === 'webhook-update' && e.route?.endsWith('/rotate-secret'),
    );
    expect(entry?.message).toMatch(/^secret rotated: webhook /);
    expect(JSON.stringify(entry)).not.toContain(rotated.secret.slice(6));
  });
});

describe('who may do what', () => {
  it('refuses every write of a viewer with 403, and changes nothing', async () => {
    const { webhook } = await create();
    const writes = [
      () => viewer.post('/api/webhooks').send({ url: receiver.url }),
      () => viewer.patch(`/api/webhooks/${webhook.id}`).send({ enabled: false }),
      () => viewer.delete(`/api/webhooks/${webhook.id}`),
      () => viewer.post(`/api/webhooks/${webhook.id}/rotate-secret`),
    ];
    for (const write of writes) {
      const res = keep(await write());
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect(await storedCount()).toBe(1);
    expect(keep(await viewer.get(`/api/webhooks/${webhook.id}`)).body).toEqual(webhook);
    expect(keep(await viewer.get(`/api/webhooks/${webhook.id}/deliveries`)).status).toBe(200);
  });
});

describe('the address guard and the secrets key in real mode', () => {
  const realEnv = {
    OVH_APPLICATION_KEY: 'real-mode-app-key',
    OVH_APPLICATION_SECRET: 'real-mode-app-secret',
    OVH_CONSUMER_KEY: 'real-mode-consumer-key',
    SESSION_SECRET: randomBytes(48).toString('base64'),
  };

  it('refuses a loopback URL unless PREFLIGHT_ALLOW_HOSTS allows it', async () => {
    const SECRETS_KEY = randomBytes(32).toString('base64');
    const real = await h.buildApp({ env: { ...realEnv, SECRETS_KEY } });
    expect(real.config.mode).toBe('real');
    const agent = await real.signIn(OPERATOR);
    for (const url of [
      receiver.url,
      'http://localhost:9/x',
      'http://[::1]/x',
      'http://10.0.0.8/',
    ]) {
      const res = keep(await agent.post('/api/webhooks').send({ url }));
      expect(res.status, url).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message).toMatch(
        /^The webhook URL cannot be used, so nothing was saved: The webhook host .* (loopback|private) address.*PREFLIGHT_ALLOW_HOSTS/,
      );
      expect(fieldsInError(res.body)).toEqual(['url']);
    }
    expect(await real.store.db.selectFrom('webhooks').select('id').execute()).toEqual([]);

    const allowed = await h.buildApp({
      env: { ...realEnv, SECRETS_KEY, PREFLIGHT_ALLOW_HOSTS: '127.0.0.1' },
    });
    const res = keep(
      await (await allowed.signIn(OPERATOR)).post('/api/webhooks').send({ url: receiver.url }),
    );
    expect(res.status, res.text).toBe(201);
  });

  it('refuses to store a secret without SECRETS_KEY, and stores nothing', async () => {
    const real = await h.buildApp({ env: { ...realEnv, PREFLIGHT_ALLOW_HOSTS: '127.0.0.1' } });
    const res = keep(
      await (await real.signIn(OPERATOR)).post('/api/webhooks').send({ url: receiver.url }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'SECRETS_KEY_MISSING',
      message: expect.stringMatching(
        /webhook signing secrets.*SECRETS_KEY is not set.*openssl rand -base64 32/,
      ),
    });
    expect(await real.store.db.selectFrom('webhooks').select('id').execute()).toEqual([]);
  });
});

describe('install.finished, end to end', () => {
  it('reaches the receiver once when an install ends, signed with the old and the new secret', async () => {
    h.sim.admin.reset();
    const { webhook, secret } = await create({ url: receiver.url, events: ['install.finished'] });
    const rotated = keep(await operator.post(`/api/webhooks/${webhook.id}/rotate-secret`))
      .body as CreateWebhookResponse;
    receiver.secrets = [secret, rotated.secret];
    const install = `/api/servers/${DEFAULT_SERVER}/install`;
    const submit = keep(
      await operator.post(install).send({
        // Nothing listens on port 9: OVH accepts the install, and its download fails.
        imageURL: 'http://127.0.0.1:9/image.raw',
        imageType: 'raw',
        efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
      }),
    );
    expect(submit.status, submit.text).toBe(202);
    // The progress page and the watch both see the end: one of them settles it.
    const end = await eventually(async () => {
      const body = (await operator.get(install).expect(200)).body as InstallProgressDto;
      return body.state === 'running' ? undefined : body;
    }, 30_000);
    expect(end.state).toBe('failed');
    await eventually(() => Promise.resolve(receiver.received.length > 0 ? true : undefined));
    // A few more rounds of the watch and the outbox: still one delivery.
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got?.verifiedWith).toEqual([secret, rotated.secret]);
    const event = JSON.parse(got?.body ?? '') as { type: string; data: Record<string, unknown> };
    expect(event.type).toBe('install.finished');
    expect(event.data).toEqual({
      server: DEFAULT_SERVER,
      installId: expect.any(String),
      taskId: end.task?.taskId,
      outcome: 'failed',
      message: expect.stringMatching(/^Could not download image/),
      user: OPERATOR.username,
    });
    const log = keep(await viewer.get(`/api/webhooks/${webhook.id}/deliveries`))
      .body as WebhookDeliveriesResponse;
    expect(log.deliveries).toEqual([
      expect.objectContaining({
        event: 'install.finished',
        state: 'delivered',
        nextAttemptAt: null,
        attempts: [expect.objectContaining({ attempt: 1, status: 200, error: null })],
      }),
    ]);
    const listed = (keep(await viewer.get('/api/webhooks')).body as WebhookListResponse).webhooks;
    expect(listed[0]?.lastDelivery).toMatchObject({ state: 'delivered', status: 200 });
    for (const s of [secret, rotated.secret]) {
      expect(JSON.stringify(log)).not.toContain(s.slice(6));
      expect(h.logLines.join('\n')).not.toContain(s.slice(6));
    }
  }, 60_000);
});
