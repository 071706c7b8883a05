/**
 * Secrets never leave the server side: after a full run through the real app (sign-in, lists,
 * a BYOI install with an HTTP header and user data that reaches done, progress, audit page,
 * refusals and upstream faults), neither a captured log line, nor a row of the audit table, nor
 * any API response (body or header) contains the OVH application secret, the consumer key, the
 * application key, the session secret, a password, the image's header value or the user data.
 */
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureImages, startImageServer, type ImageServer } from '@byoi/test-kit';
import { DEFAULT_SERVER, LEGACY_SERVER } from '@byoi/ovh-simulator';
import type { InstallProgressDto } from '@byoi/shared';
import { eventually, startHarness, type Harness } from './testing/harness.ts';
import { OPERATOR, VIEWER } from './testing/users.ts';

let h: Harness;
let images: ImageServer;
let imageFile: string;
beforeAll(async () => {
  const [harness, kit] = await Promise.all([startHarness(), ensureImages()]);
  h = harness;
  images = await startImageServer({ dir: kit.dir });
  imageFile = kit.images['raw-gpt'].file;
}, 180_000);
afterAll(async () => {
  await images.close();
  await h.close();
});

describe('secrets', () => {
  it('appear in no log line, audit entry or API response of a full run', async () => {
    const responses: Response[] = [];
    const keep = <T extends Response>(res: T): T => {
      responses.push(res);
      return res;
    };
    const userData = '#cloud-config\nwrite_files:\n  - path: /etc/private-marker-7731\n';

    keep(
      await h
        .anonymous()
        .post('/api/session')
        .send({ username: OPERATOR.username, password: 'wrong-pass' }),
    );
    const operator = await h.signIn(OPERATOR);
    const viewer = await h.signIn(VIEWER);
    keep(await operator.get('/api/meta'));
    keep(await operator.get('/api/session'));
    keep(await operator.get('/api/servers'));
    keep(await operator.get(`/api/servers/${DEFAULT_SERVER}`));
    keep(await operator.get(`/api/servers/${DEFAULT_SERVER}/templates`));
    keep(
      await operator
        .post(`/api/servers/${DEFAULT_SERVER}/install`)
        .set('Idempotency-Key', 'secret-run-1')
        .send({
          imageURL: `${images.url}/auth/images/${imageFile}`,
          imageType: 'raw',
          httpHeaders: [{ name: 'Authorization', value: images.authorization }],
          configDriveUserData: userData,
          efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
        }),
    );
    const final = await eventually(async () => {
      const res = keep(await viewer.get(`/api/servers/${DEFAULT_SERVER}/install`));
      const body = res.body as InstallProgressDto;
      return body.state === 'running' ? undefined : body;
    }, 30_000);
    expect(final.state).toBe('done');
    // The header really went upstream (so the test would see it if it leaked back).
    expect(images.requests.some((r) => r.headers.authorization === images.authorization)).toBe(
      true,
    );
    keep(await viewer.post(`/api/servers/${DEFAULT_SERVER}/install`).send({}));
    keep(
      await operator.post(`/api/servers/${LEGACY_SERVER}/install`).send({
        imageURL: 'https://x.example/a.raw',
        imageType: 'raw',
        httpHeaders: [{ name: 'X-K', value: 'bad\r\nvalue' }],
      }),
    );
    h.sim.admin.injectFault({
      method: 'GET',
      path: `/dedicated/server/${LEGACY_SERVER}`,
      status: 500,
    });
    keep(await operator.get(`/api/servers/${LEGACY_SERVER}`));
    h.sim.admin.clearFaults();
    keep(await operator.get('/api/audit'));
    keep(await operator.delete('/api/session'));
    await h.audit.flush();
    // Every column of every row, the whole entry included.
    const auditRows = JSON.stringify(
      await h.store.db.selectFrom('audit_entries').selectAll().orderBy('seq').execute(),
    );
    expect(auditRows).toContain('"event":"install"');
    expect(auditRows).toContain(DEFAULT_SERVER);
    expect(auditRows).toContain('"valueSha256"');

    const everything = [
      ...h.logLines,
      auditRows,
      ...responses.map((r) => `${JSON.stringify(r.headers)}\n${r.text}`),
    ].join('\n');
    expect(h.logLines.length).toBeGreaterThan(10);
    expect(everything).toContain(DEFAULT_SERVER);

    const secrets = {
      applicationSecret: h.sim.applicationSecret,
      consumerKey: h.sim.consumerKey,
      applicationKey: h.sim.applicationKey,
      sessionSecret: h.config.session.secret,
      headerValue: images.authorization,
      basicPassword: images.basicAuth.password,
      userData: 'private-marker-7731',
      userDataBase64: Buffer.from(userData).toString('base64'),
      operatorPassword: OPERATOR.password,
      viewerPassword: VIEWER.password,
    };
    // Request lines name the request, never its headers: the session's CSRF token, the
    // idempotency key and the cookies are header values too.
    const requests = h.logLines
      .map((l) => (JSON.parse(l) as { req?: Record<string, unknown> }).req)
      .filter((req) => req !== undefined);
    expect(requests).toContainEqual(
      expect.objectContaining({ method: 'GET', path: `/api/servers/${DEFAULT_SERVER}` }),
    );
    expect(requests.every((req) => typeof req.id === 'string' && req.remoteAddress)).toBe(true);
    for (const req of requests) {
      expect(Object.keys(req).sort()).toEqual(
        ['id', 'method', 'path', 'remoteAddress', 'userAgent'].filter((k) => k in req),
      );
      expect(req).not.toHaveProperty('headers');
    }
    expect(everything).not.toContain('secret-run-1');
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length, name).toBeGreaterThan(8);
      expect(everything.includes(value), `${name} leaked`).toBe(false);
    }
  });
});
