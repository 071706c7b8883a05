/**
 * The image library through the real app: operators change it and viewers read it, every change
 * is audited, header values go in and never come back out (no answer, log line or audit entry has
 * them; the store has ciphertext), and a form that names a library version gets its stored
 * headers for the image's own origin — proven by the local image server, which serves the image
 * only with them, to the preflight and to the simulator's install.
 */
import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureImages, startImageServer, type ImageKit, type ImageServer } from '@byoi/test-kit';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import type {
  AuditEntryDto,
  InstallProgressDto,
  LibraryImageDetailResponse,
  LibraryImageInstallsResponse,
  LibraryImageListResponse,
  PreflightReport,
} from '@byoi/shared';
import { sha256Hex } from '../redact.ts';
import { eventually, fieldsInError, startHarness, type Harness } from '../testing/harness.ts';
import { OPERATOR, VIEWER, type TestAgent } from '../testing/users.ts';

/** The bootloader the kit's images hold (OVH requires the path on the default, reinstall route). */
const EFI = '\\efi\\debian\\grubx64.efi';

let h: Harness;
let kit: ImageKit;
let images: ImageServer;
let operator: TestAgent;
let viewer: TestAgent;
/** Every answer of this file, to search for header values. */
const answers: Response[] = [];
const keep = <T extends Response>(res: T): T => {
  answers.push(res);
  return res;
};

beforeAll(async () => {
  [h, kit] = await Promise.all([startHarness(), ensureImages()]);
  images = await startImageServer({ dir: kit.dir });
  operator = await h.signIn(OPERATOR);
  viewer = await h.signIn(VIEWER);
}, 300_000);
afterAll(async () => {
  await images.close();
  await h.close();
});
beforeEach(() => {
  images.reset();
});

const authURL = () => `${images.url}/auth/images/${kit.images['raw-gpt'].file}`;
/** The same image server under another origin (localhost rather than 127.0.0.1). */
const otherOriginURL = () => authURL().replace('127.0.0.1', 'localhost');
const TOKEN_HEADER = 'X-Library-Token';
const TOKEN = 'library-token-value-91c2f7';

let names = 0;
async function createImage(
  version: Record<string, unknown> = { imageURL: authURL(), imageType: 'raw' },
  agent = operator,
): Promise<LibraryImageDetailResponse> {
  names += 1;
  const res = keep(await agent.post('/api/images').send({ name: `Image ${names}`, version }));
  expect(res.status, res.text).toBe(201);
  return res.body as LibraryImageDetailResponse;
}

/** An image whose version 2 keeps the Authorization value version 1 stored. */
async function imageWithKeptAuthorization(): Promise<LibraryImageDetailResponse> {
  const created = await createImage({
    imageURL: authURL(),
    imageType: 'raw',
    efiBootloaderPath: EFI,
    httpHeaders: [
      { name: 'Authorization', value: images.authorization },
      { name: TOKEN_HEADER, value: TOKEN },
    ],
  });
  const res = keep(
    await operator.post(`/api/images/${created.image.id}/versions`).send({
      imageURL: authURL(),
      imageType: 'raw',
      efiBootloaderPath: EFI,
      httpHeaders: [{ name: 'Authorization' }],
      notes: 'same image, header kept',
    }),
  );
  expect(res.status, res.text).toBe(201);
  return res.body as LibraryImageDetailResponse;
}

async function auditEntries(): Promise<AuditEntryDto[]> {
  await h.audit.flush();
  return h.audit.recent(500);
}

describe('the library', () => {
  it('is created, read, renamed, versioned and archived by operators, read by viewers', async () => {
    const create = keep(
      await operator.post('/api/images').send({
        name: '  Debian 12 web  ',
        notes: 'for the web tier',
        version: {
          imageURL: authURL(),
          imageType: 'raw',
          checksumFileURL: `${images.url}/sums/SHA256SUMS`,
          efiBootloaderPath: EFI,
          httpHeaders: [{ name: TOKEN_HEADER, value: TOKEN }],
        },
      }),
    );
    expect(create.status).toBe(201);
    const created = create.body as LibraryImageDetailResponse;
    const { id } = created.image;
    expect(created.image).toMatchObject({
      name: 'Debian 12 web',
      notes: 'for the web tier',
      createdBy: OPERATOR.username,
      versionCount: 1,
      latest: {
        version: 1,
        imageURL: authURL(),
        imageType: 'raw',
        imageCheckSum: null,
        checksumFileURL: `${images.url}/sums/SHA256SUMS`,
        efiBootloaderPath: EFI,
        httpHeaders: [{ name: TOKEN_HEADER }],
        lastCheck: null,
      },
    });

    const list = keep(await viewer.get('/api/images').query({ search: 'debian 12' }));
    expect(list.status).toBe(200);
    expect((list.body as LibraryImageListResponse).images.map((i) => i.id)).toEqual([id]);
    expect(keep(await viewer.get(`/api/images/${id}`)).body).toEqual(created);

    const patch = keep(await operator.patch(`/api/images/${id}`).send({ name: 'Debian 12 (web)' }));
    expect(patch.status).toBe(200);
    expect((patch.body as LibraryImageDetailResponse).image).toMatchObject({
      name: 'Debian 12 (web)',
      notes: 'for the web tier',
    });

    const next = keep(
      await operator.post(`/api/images/${id}/versions`).send({
        imageURL: authURL(),
        imageType: 'raw',
        imageCheckSum: kit.images['raw-gpt'].sha256,
        imageCheckSumType: 'sha256',
        httpHeaders: [{ name: TOKEN_HEADER }],
      }),
    );
    expect(next.status).toBe(201);
    const versioned = next.body as LibraryImageDetailResponse;
    expect(versioned.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(versioned.image.latest).toMatchObject({
      version: 2,
      imageCheckSum: kit.images['raw-gpt'].sha256,
      httpHeaders: [{ name: TOKEN_HEADER }],
    });

    const installs = keep(await viewer.get(`/api/images/${id}/installs`));
    expect(installs.status).toBe(200);
    expect(installs.body).toEqual({ servers: [] });

    const archive = keep(await operator.delete(`/api/images/${id}`));
    expect(archive.status).toBe(200);
    expect((archive.body as LibraryImageDetailResponse).image.archivedAt).toEqual(
      expect.any(String),
    );
    // Out of the list, still readable (the history links to it), no longer changeable.
    expect(
      (keep(await viewer.get('/api/images')).body as LibraryImageListResponse).images.map(
        (i) => i.id,
      ),
    ).not.toContain(id);
    expect(keep(await viewer.get(`/api/images/${id}`)).status).toBe(200);
    const closed = keep(await operator.patch(`/api/images/${id}`).send({ notes: 'x' }));
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('IMAGE_ARCHIVED');
    // Archiving again changes nothing.
    expect(keep(await operator.delete(`/api/images/${id}`)).status).toBe(200);
  });

  it('refuses every write of a viewer with 403, and changes nothing', async () => {
    const { image } = await createImage();
    const writes = [
      () =>
        viewer
          .post('/api/images')
          .send({ name: 'By a viewer', version: { imageURL: authURL(), imageType: 'raw' } }),
      () => viewer.patch(`/api/images/${image.id}`).send({ name: 'Renamed by a viewer' }),
      () =>
        viewer
          .post(`/api/images/${image.id}/versions`)
          .send({ imageURL: authURL(), imageType: 'raw' }),
      () => viewer.delete(`/api/images/${image.id}`),
    ];
    for (const write of writes) {
      const res = keep(await write());
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    const after = keep(await viewer.get(`/api/images/${image.id}`))
      .body as LibraryImageDetailResponse;
    expect(after.image).toEqual(image);
    const list = keep(await viewer.get('/api/images')).body as LibraryImageListResponse;
    expect(list.images.map((i) => i.name)).not.toContain('By a viewer');
  });

  it('answers 404 for an unknown id, 400 with field errors for a bad body, never a 500', async () => {
    const { image } = await createImage();
    for (const [res, status] of [
      [await operator.get('/api/images/no-such-image'), 404],
      [await operator.get('/api/images/%E2%98%83'), 404],
      [await operator.get(`/api/images/${'x'.repeat(500)}/installs`), 404],
      [await operator.patch('/api/images/nope').send({ notes: 'x' }), 404],
      [
        await operator
          .post('/api/images/nope/versions')
          .send({ imageURL: authURL(), imageType: 'raw' }),
        404,
      ],
      [await operator.delete('/api/images/nope'), 404],
      [await operator.post('/api/images').set('Content-Type', 'text/plain').send('name=x'), 415],
      [await operator.get('/api/images?search=a&search=b'), 400],
    ] as const) {
      keep(res);
      expect(res.status, res.text).toBe(status);
      expect(res.body.error.message).toEqual(expect.any(String));
    }
    const bad = keep(
      await operator.post('/api/images').send({
        name: '',
        version: { imageURL: 'ftp://x/a.raw', imageType: 'vmdk', httpHeaders: [{ name: 'a b' }] },
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(fieldsInError(bad.body).sort()).toEqual([
      'name',
      'version.httpHeaders.0.name',
      'version.imageType',
      'version.imageURL',
    ]);
    for (const body of [null, [], 'x', 42, { name: 'x' }, { name: 'x', version: [], extra: 1 }]) {
      const res = keep(
        await operator
          .post('/api/images')
          .send(JSON.stringify(body))
          .set('Content-Type', 'application/json'),
      );
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const version = keep(
      await operator
        .post(`/api/images/${image.id}/versions`)
        .send({ imageURL: authURL(), imageType: 'raw', imageCheckSum: 'abc' }),
    );
    expect(version.status).toBe(400);
    expect(fieldsInError(version.body)).toEqual(['imageCheckSumType']);
    const nothing = keep(await operator.patch(`/api/images/${image.id}`).send({}));
    expect(nothing.status).toBe(400);
    const noValue = keep(
      await operator.post('/api/images').send({
        name: 'Header without value',
        version: {
          imageURL: authURL(),
          imageType: 'raw',
          httpHeaders: [{ name: 'Authorization' }],
        },
      }),
    );
    expect(noValue.status).toBe(400);
    expect(fieldsInError(noValue.body)).toEqual(['version.httpHeaders.0.value']);
  });

  it('answers a name already taken with 409 and what to do', async () => {
    const { image } = await createImage();
    const res = keep(
      await operator.post('/api/images').send({
        name: image.name.toUpperCase(),
        version: { imageURL: authURL(), imageType: 'raw' },
      }),
    );
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: 'IMAGE_NAME_TAKEN',
      message: expect.stringMatching(/Choose another name, or add a version to that image/),
    });
  });

  it('audits every change, with header names and digests only', async () => {
    const { image } = await createImage({
      imageURL: `${authURL()}?signature=abc123`,
      imageType: 'raw',
      httpHeaders: [{ name: TOKEN_HEADER, value: TOKEN }],
    });
    keep(await operator.patch(`/api/images/${image.id}`).send({ notes: 'audited' }));
    keep(
      await operator
        .post(`/api/images/${image.id}/versions`)
        .send({ imageURL: authURL(), imageType: 'raw', httpHeaders: [{ name: TOKEN_HEADER }] }),
    );
    keep(await operator.delete(`/api/images/${image.id}`));
    keep(await viewer.delete(`/api/images/${image.id}`));
    const entries = (await auditEntries()).filter((e) => e.imageId === image.id).reverse();
    const digest = [{ name: TOKEN_HEADER, valueSha256: sha256Hex(TOKEN) }];
    expect(entries).toEqual([
      expect.objectContaining({
        event: 'image-create',
        outcome: 'success',
        user: OPERATOR.username,
        role: 'operator',
        status: 201,
        imageName: image.name,
        imageVersion: 1,
        imageURL: `${authURL()}?signature=`,
        httpHeaders: digest,
      }),
      expect.objectContaining({ event: 'image-update', imageName: image.name, status: 200 }),
      expect.objectContaining({ event: 'image-version', imageVersion: 2, httpHeaders: digest }),
      expect.objectContaining({ event: 'image-archive', imageName: image.name }),
    ]);
    // The viewer's attempt is a refusal of the audit trail's.
    const refusal = (await auditEntries()).find(
      (e) =>
        e.event === 'refusal' &&
        e.route === `/api/images/${image.id}` &&
        e.user === VIEWER.username,
    );
    expect(refusal).toMatchObject({ outcome: 'refused', status: 403 });
  });
});

describe('stored header values', () => {
  it('reach the image server from a preflight, kept across versions, and the check is kept', async () => {
    const detail = await imageWithKeptAuthorization();
    const ref = { id: detail.image.id, version: 2 };
    const form = { imageURL: authURL(), imageType: 'raw', efiBootloaderPath: EFI };

    // Without the library's header the image server refuses: the header below came from it.
    const bare = keep(await operator.post(`/api/servers/${DEFAULT_SERVER}/preflight`).send(form));
    expect((bare.body as PreflightReport).verdict).toBe('fail');
    images.reset();

    const res = keep(
      await operator
        .post(`/api/servers/${DEFAULT_SERVER}/preflight`)
        .send({ ...form, libraryImage: ref }),
    );
    expect(res.status, res.text).toBe(200);
    expect((res.body as PreflightReport).verdict).toBe('pass');
    expect(images.requests.length).toBeGreaterThan(0);
    expect(images.requests.every((r) => r.headers.authorization === images.authorization)).toBe(
      true,
    );
    // Version 2 kept Authorization only: the token of version 1 was dropped.
    expect(images.requests.some((r) => r.headers[TOKEN_HEADER.toLowerCase()] !== undefined)).toBe(
      false,
    );

    const after = keep(await viewer.get(`/api/images/${ref.id}`))
      .body as LibraryImageDetailResponse;
    expect(after.versions[0]?.lastCheck).toEqual({
      verdict: 'pass',
      at: expect.any(String),
      server: DEFAULT_SERVER,
      user: OPERATOR.username,
      predictedMessage: null,
    });
    expect(after.versions[1]?.lastCheck).toBeNull();
  });

  it('are not sent when the image URL is on another origin', async () => {
    const detail = await imageWithKeptAuthorization();
    const res = keep(
      await operator.post(`/api/servers/${DEFAULT_SERVER}/preflight`).send({
        imageURL: otherOriginURL(),
        imageType: 'raw',
        libraryImage: { id: detail.image.id, version: 2 },
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.details.fieldErrors.imageURL).toEqual([
      `The stored header values of "${detail.image.name}" version 2 belong to ${images.url}; re-enter them or pick another version.`,
    ]);
    expect(images.requests).toHaveLength(0);
    // An unknown version is the form's problem too.
    const unknown = keep(
      await operator.post(`/api/servers/${DEFAULT_SERVER}/preflight`).send({
        imageURL: authURL(),
        imageType: 'raw',
        libraryImage: { id: detail.image.id, version: 9 },
      }),
    );
    expect(unknown.status).toBe(400);
    expect(fieldsInError(unknown.body)).toEqual(['libraryImage.version']);
  });

  it('reach the image server from an install, which then shows where the image is installed', async () => {
    const detail = await imageWithKeptAuthorization();
    const res = keep(
      await operator.post(`/api/servers/${DEFAULT_SERVER}/install`).send({
        imageURL: authURL(),
        imageType: 'raw',
        efiBootloaderPath: EFI,
        libraryImage: { id: detail.image.id, version: 2 },
      }),
    );
    expect(res.status, res.text).toBe(202);
    const final = await eventually(async () => {
      const progress = await viewer.get(`/api/servers/${DEFAULT_SERVER}/install`);
      const body = progress.body as InstallProgressDto;
      return body.state === 'running' ? undefined : body;
    }, 30_000);
    expect(final.state).toBe('done');
    expect(images.requests.some((r) => r.headers.authorization === images.authorization)).toBe(
      true,
    );
    const where = keep(await viewer.get(`/api/images/${detail.image.id}/installs`));
    expect(where.status).toBe(200);
    expect((where.body as LibraryImageInstallsResponse).servers).toEqual([
      {
        server: DEFAULT_SERVER,
        version: 2,
        installId: expect.any(String),
        submittedAt: expect.any(String),
        outcome: expect.stringMatching(/^(running|done)$/),
      },
    ]);
  });

  it('appear in no answer, log line or audit entry, and are ciphertext in the store', async () => {
    await imageWithKeptAuthorization();
    const secrets = [TOKEN, images.authorization, images.basicAuth.password];
    const audit = JSON.stringify(await auditEntries());
    const rows = JSON.stringify(
      await h.store.db.selectFrom('image_versions').selectAll().execute(),
    );
    expect(answers.length).toBeGreaterThan(20);
    expect(rows).toMatch(/"value":"v1\./);
    for (const secret of secrets) {
      for (const [index, res] of answers.entries()) {
        expect(res.text.includes(secret), `answer ${index}: ${res.text.slice(0, 200)}`).toBe(false);
        expect(JSON.stringify(res.headers).includes(secret)).toBe(false);
      }
      expect(h.logLines.join('\n').includes(secret), 'log').toBe(false);
      expect(audit.includes(secret), 'audit').toBe(false);
      expect(rows.includes(secret), 'store').toBe(false);
    }
  });
});

describe('the secrets key', () => {
  it('of another console on the same store is refused with the remedy, and warned about at start', async () => {
    const detail = await imageWithKeptAuthorization();
    const other = await h.buildApp({
      store: h.store,
      env: { SECRETS_KEY: randomBytes(32).toString('base64') },
    });
    const agent = await other.signIn(OPERATOR);
    const res = keep(
      await agent.post(`/api/servers/${DEFAULT_SERVER}/preflight`).send({
        imageURL: authURL(),
        imageType: 'raw',
        libraryImage: { id: detail.image.id, version: 2 },
      }),
    );
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({
      code: 'SECRETS_KEY_MISMATCH',
      message: expect.stringMatching(
        /start the console with the SECRETS_KEY they were stored with/,
      ),
    });
    expect(images.requests).toHaveLength(0);
    const store = keep(
      await agent.post('/api/images').send({
        name: 'Under another key',
        version: {
          imageURL: authURL(),
          imageType: 'raw',
          httpHeaders: [{ name: 'A', value: 'b' }],
        },
      }),
    );
    expect(store.status).toBe(503);
    expect(store.body.error.code).toBe('SECRETS_KEY_MISMATCH');
    const warning = await eventually(() =>
      Promise.resolve(other.logLines.find((line) => line.includes('another secrets key'))),
    );
    expect(JSON.parse(warning)).toMatchObject({ level: 40 });
  });

  it('is required in real mode to store header values, not to store images', async () => {
    const real = await h.buildApp({
      env: {
        OVH_APPLICATION_KEY: 'real-mode-app-key',
        OVH_APPLICATION_SECRET: 'real-mode-app-secret',
        OVH_CONSUMER_KEY: 'real-mode-consumer-key',
        SESSION_SECRET: randomBytes(48).toString('base64'),
      },
    });
    expect(real.config.mode).toBe('real');
    const agent = await real.signIn(OPERATOR);
    const withValue = keep(
      await agent.post('/api/images').send({
        name: 'Real with value',
        version: {
          imageURL: authURL(),
          imageType: 'raw',
          httpHeaders: [{ name: 'A', value: 'b' }],
        },
      }),
    );
    expect(withValue.status).toBe(400);
    expect(withValue.body.error).toMatchObject({
      code: 'SECRETS_KEY_MISSING',
      message: expect.stringMatching(/SECRETS_KEY is not set.*openssl rand -base64 32/),
    });
    const without = keep(
      await agent
        .post('/api/images')
        .send({ name: 'Real without value', version: { imageURL: authURL(), imageType: 'raw' } }),
    );
    expect(without.status).toBe(201);
  });
});
