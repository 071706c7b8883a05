/**
 * The image library in the store, on both engines: versions, kept header values, archive, names,
 * search, where an image is installed, the stored headers a form gets (own origin only), the last
 * check, and the secrets key's fingerprint that keeps a console with another key from using them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLibraryImageSchema,
  libraryImageVersionSchema,
  type CreateLibraryImageRequest,
  type LibraryImageVersionInput,
} from '@byoi/shared';
import { ApiError } from '../apiError.ts';
import { HeaderSecrets, KEY_FINGERPRINT_META } from '../secrets/headerSecrets.ts';
import type { SecretsKeySettings } from '../secrets/secretsKey.ts';
import { testStore, type TestStore } from '../testing/testStore.ts';
import { ImageLibrary } from './imageLibrary.ts';

const ORIGIN = 'https://images.example.com';
const TOKEN = 'Bearer library-secret-4471';

const version = (more: Partial<LibraryImageVersionInput> = {}) =>
  libraryImageVersionSchema.parse({
    imageURL: `${ORIGIN}/debian-12.raw`,
    imageType: 'raw',
    ...more,
  });

const image = (name: string, more: Partial<LibraryImageVersionInput> = {}) =>
  createLibraryImageSchema.parse({
    name,
    version: { imageURL: `${ORIGIN}/debian-12.raw`, imageType: 'raw', ...more },
  } satisfies CreateLibraryImageRequest);

const withToken = { httpHeaders: [{ name: 'Authorization', value: TOKEN }] };

/** The ApiError a promise rejects with. */
async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

describe.each(['postgres', 'pglite'] as const)('the image library on %s', (kind) => {
  let store: TestStore;
  let settings: SecretsKeySettings;
  let library: ImageLibrary;
  /** Another console on the same store. */
  const console = (more: Partial<SecretsKeySettings> = {}) =>
    new ImageLibrary(store, new HeaderSecrets(store, { ...settings, ...more }));

  beforeAll(async () => {
    store = await testStore({ kind });
    settings = {
      mode: 'simulator',
      secretsKey: randomBytes(32),
      dataDir: path.join(mkdtempSync(path.join(os.tmpdir(), 'byoi-library-')), 'data'),
    };
    library = console();
  }, 60_000);
  afterAll(async () => {
    await store.close();
  });

  it('creates an image with its first version, header values sealed at rest', async () => {
    const { detail, version: v } = await library.create(image('Debian 12', withToken), 'olivia');
    expect(detail.image).toMatchObject({ name: 'Debian 12', versionCount: 1, createdBy: 'olivia' });
    expect(detail.image.archivedAt).toBeUndefined();
    expect(detail.versions).toHaveLength(1);
    expect(detail.image.latest.httpHeaders).toEqual([{ name: 'Authorization' }]);
    expect(JSON.stringify(detail)).not.toContain(TOKEN);
    expect(v?.facts.httpHeaders).toEqual([
      { name: 'Authorization', valueSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    const row = await store.db
      .selectFrom('image_versions')
      .selectAll()
      .where('image_id', '=', detail.image.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain('library-secret');
    expect(row.http_headers[0]?.value).toMatch(/^v1\./);
    const meta = await store.db
      .selectFrom('store_meta')
      .selectAll()
      .where('key', '=', KEY_FINGERPRINT_META)
      .executeTakeFirst();
    expect(meta?.value).toMatch(/^[0-9a-f]{64}$/);
  });

  it('adds versions, keeping a stored value for a header given without one', async () => {
    const { detail } = await library.create(image('Ubuntu 24.04', withToken), 'olivia');
    const id = detail.image.id;
    const second = await library.addVersion(
      id,
      version({
        imageURL: `${ORIGIN}/ubuntu-24.04-r2.raw`,
        httpHeaders: [{ name: 'authorization' }, { name: 'X-Extra', value: 'extra-value' }],
        notes: 'rebuilt',
      }),
      'olivia',
    );
    expect(second.version?.number).toBe(2);
    expect(second.detail.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(second.detail.image).toMatchObject({ versionCount: 2 });
    expect(second.detail.image.latest).toMatchObject({
      version: 2,
      notes: 'rebuilt',
      httpHeaders: [{ name: 'authorization' }, { name: 'X-Extra' }],
    });
    // The same value, so the same digest as version 1's.
    const [first] =
      (await library.create(image('Digest probe', withToken), null)).version?.facts.httpHeaders ??
      [];
    expect(second.version?.facts.httpHeaders[0]?.valueSha256).toBe(first?.valueSha256);
    const form = await library.withStoredHeaders({
      imageURL: `${ORIGIN}/ubuntu-24.04-r2.raw`,
      httpHeaders: [],
      libraryImage: { id, version: 2 },
    });
    expect(form.httpHeaders).toEqual([
      { name: 'authorization', value: TOKEN },
      { name: 'X-Extra', value: 'extra-value' },
    ]);
    // A header left out is dropped.
    const third = await library.addVersion(id, version(), null);
    expect(third.detail.image.latest.httpHeaders).toEqual([]);
    // Nothing to keep now.
    const error = await refusal(
      library.addVersion(id, version({ httpHeaders: [{ name: 'Authorization' }] }), null),
    );
    expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(error.details?.fieldErrors).toHaveProperty(['httpHeaders.0.value']);
  });

  it('refuses a new image whose header has no value', async () => {
    const error = await refusal(
      library.create(image('No value', { httpHeaders: [{ name: 'Authorization' }] }), null),
    );
    expect(error).toMatchObject({ status: 400 });
    expect(error.details?.fieldErrors).toHaveProperty(['version.httpHeaders.0.value']);
  });

  it('keeps names unique, without regard to case, among images not archived', async () => {
    const { detail } = await library.create(image('Rocky 9'), null);
    const taken = await refusal(library.create(image('ROCKY 9'), null));
    expect(taken).toMatchObject({ status: 409, code: 'IMAGE_NAME_TAKEN' });
    expect(taken.message).toMatch(/Choose another name/);
    const other = await library.create(image('Rocky 8'), null);
    expect(await refusal(library.update(other.detail.image.id, { name: 'rocky 9' }))).toMatchObject(
      { status: 409, code: 'IMAGE_NAME_TAKEN' },
    );
    const renamed = await library.update(other.detail.image.id, { notes: 'EOL soon' });
    expect(renamed.detail.image).toMatchObject({ name: 'Rocky 8', notes: 'EOL soon' });

    const gone = await library.archive(detail.image.id);
    expect(gone.changed).toBe(true);
    expect(gone.detail.image.archivedAt).toEqual(expect.any(String));
    expect((await library.archive(detail.image.id)).changed).toBe(false);
    // Archived: readable, not changeable, out of the list, its name free again.
    expect((await library.detail(detail.image.id)).image.name).toBe('Rocky 9');
    expect(await refusal(library.update(detail.image.id, { notes: 'x' }))).toMatchObject({
      status: 409,
      code: 'IMAGE_ARCHIVED',
    });
    expect(await refusal(library.addVersion(detail.image.id, version(), null))).toMatchObject({
      code: 'IMAGE_ARCHIVED',
    });
    expect((await library.list()).map((i) => i.id)).not.toContain(detail.image.id);
    await library.create(image('rocky 9'), null);
  });

  it('answers 404 for an id it does not know', async () => {
    for (const call of [
      () => library.detail('nope'),
      () => library.update('nope', { notes: 'x' }),
      () => library.addVersion('nope', version(), null),
      () => library.archive('nope'),
      () => library.installs('nope'),
    ]) {
      expect(await refusal(call())).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    }
  });

  it('lists by name and searches names, notes and image URLs, wildcards literally', async () => {
    await library.create(image('Search: Alma 100%'), null);
    await library.create(
      createLibraryImageSchema.parse({
        name: 'Search: other',
        notes: 'for the alma_lab',
        version: { imageURL: `${ORIGIN}/x.raw`, imageType: 'raw' },
      }),
      null,
    );
    await library.create(image('Search: by URL', { imageURL: `${ORIGIN}/almalinux-9.raw` }), null);
    const names = async (search: string) => (await library.list(search)).map((i) => i.name);
    expect(await names('ALMA')).toEqual(['Search: Alma 100%', 'Search: by URL', 'Search: other']);
    expect(await names('100%')).toEqual(['Search: Alma 100%']);
    expect(await names('alma_')).toEqual(['Search: other']);
    expect(await names('%')).toEqual(['Search: Alma 100%']);
    const all = await library.list();
    expect(all.map((i) => i.name)).toEqual(
      [...all.map((i) => i.name)].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())),
    );
  });

  it('adds stored headers only for the origin they belong to, the form’s own first', async () => {
    const { detail } = await library.create(
      image('Origin bound', {
        httpHeaders: [
          { name: 'Authorization', value: TOKEN },
          { name: 'X-Tenant', value: 'tenant-7' },
        ],
      }),
      null,
    );
    const ref = { id: detail.image.id, version: 1 };
    const same = await library.withStoredHeaders({
      imageURL: `${ORIGIN}/another-path.raw?sig=1`,
      httpHeaders: [{ name: 'x-tenant', value: 'typed-by-operator' }],
      libraryImage: ref,
    });
    expect(same.httpHeaders).toEqual([
      { name: 'x-tenant', value: 'typed-by-operator' },
      { name: 'Authorization', value: TOKEN },
    ]);
    for (const imageURL of [
      'https://elsewhere.example.com/debian-12.raw',
      'http://images.example.com/debian-12.raw',
      'https://images.example.com:8443/debian-12.raw',
    ]) {
      const error = await refusal(library.withStoredHeaders({ imageURL, libraryImage: ref }));
      expect(error, imageURL).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(error.details?.fieldErrors?.imageURL).toEqual([
        `The stored header values of "Origin bound" version 1 belong to ${ORIGIN}; re-enter them or pick another version.`,
      ]);
      expect(JSON.stringify(error)).not.toContain('library-secret');
    }
    // Nothing stored left to add: the origin does not matter.
    const typed = [
      { name: 'Authorization', value: 'mine' },
      { name: 'X-Tenant', value: 'mine' },
    ];
    expect(
      (
        await library.withStoredHeaders({
          imageURL: 'https://elsewhere.example.com/a.raw',
          httpHeaders: typed,
          libraryImage: ref,
        })
      ).httpHeaders,
    ).toEqual(typed);
    // No reference, no change.
    const plain = { imageURL: 'https://x.example/a.raw', httpHeaders: [] };
    expect(await library.withStoredHeaders(plain)).toBe(plain);
  });

  it('names the field of a reference it cannot follow', async () => {
    const { detail } = await library.create(image('Ref target'), null);
    const form = (id: string, v: number) => ({
      imageURL: `${ORIGIN}/debian-12.raw`,
      libraryImage: { id, version: v },
    });
    const fields = async (id: string, v: number) =>
      Object.keys(
        (await refusal(library.withStoredHeaders(form(id, v)))).details?.fieldErrors ?? {},
      );
    expect(await fields('nope', 1)).toEqual(['libraryImage.id']);
    expect(await fields(detail.image.id, 5)).toEqual(['libraryImage.version']);
    await library.archive(detail.image.id);
    expect(await fields(detail.image.id, 1)).toEqual(['libraryImage.id']);
  });

  it('keeps a check as the version’s last check when it checked the version’s image', async () => {
    const { detail } = await library.create(image('Checked'), null);
    const ref = { id: detail.image.id, version: 1 };
    const check = {
      verdict: 'fail' as const,
      server: 'ns1.example',
      user: 'olivia',
      predictedMessage: 'Image too large',
      imageURL: `${ORIGIN}/debian-12.raw`,
      imageType: 'raw',
    };
    await library.recordCheck(ref, { ...check, imageURL: `${ORIGIN}/edited.raw` });
    expect((await library.detail(ref.id)).image.latest.lastCheck).toBeNull();
    await library.recordCheck(ref, check);
    expect((await library.detail(ref.id)).image.latest.lastCheck).toEqual({
      verdict: 'fail',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      server: 'ns1.example',
      user: 'olivia',
      predictedMessage: 'Image too large',
    });
  });

  it('tells where an image is installed: servers whose latest install came from it', async () => {
    const { detail } = await library.create(image('Installed'), null);
    const other = await library.create(image('Installed elsewhere'), null);
    const id = detail.image.id;
    await library.addVersion(id, version(), null);
    let n = 0;
    const install = async (
      server: string,
      at: string,
      imageId: string | null,
      v: number | null,
    ) => {
      n += 1;
      await store.db
        .insertInto('installs')
        .values({
          id: `install-${kind}-${n}`,
          server,
          task_id: n,
          username: 'olivia',
          role: 'operator',
          route: 'reinstall',
          submitted_at: new Date(at),
          facts: JSON.stringify({}),
          image_id: imageId,
          image_version: v,
          state: 'done',
        })
        .execute();
    };
    await install('a.example', '2026-01-01T10:00:00Z', id, 1);
    await install('a.example', '2026-01-02T10:00:00Z', id, 2);
    await install('b.example', '2026-01-03T10:00:00Z', id, 1);
    // Reinstalled since with another image, then with no library image at all.
    await install('c.example', '2026-01-01T10:00:00Z', id, 1);
    await install('c.example', '2026-01-04T10:00:00Z', other.detail.image.id, 1);
    await install('d.example', '2026-01-01T10:00:00Z', id, 2);
    await install('d.example', '2026-01-05T10:00:00Z', null, null);
    expect((await library.installs(id)).servers).toEqual([
      {
        server: 'b.example',
        version: 1,
        installId: `install-${kind}-3`,
        submittedAt: '2026-01-03T10:00:00.000Z',
        outcome: 'done',
      },
      {
        server: 'a.example',
        version: 2,
        installId: `install-${kind}-2`,
        submittedAt: '2026-01-02T10:00:00.000Z',
        outcome: 'done',
      },
    ]);
    expect((await library.installs(other.detail.image.id)).servers.map((s) => s.server)).toEqual([
      'c.example',
    ]);
  });

  it('moves no sealed value: one copied to another version does not open', async () => {
    const { detail } = await library.create(image('Moved', withToken), null);
    const id = detail.image.id;
    await library.addVersion(
      id,
      version({ httpHeaders: [{ name: 'Authorization', value: 'v2' }] }),
      null,
    );
    const v1 = await store.db
      .selectFrom('image_versions')
      .select('http_headers')
      .where('image_id', '=', id)
      .where('version', '=', 1)
      .executeTakeFirstOrThrow();
    await store.db
      .updateTable('image_versions')
      .set({ http_headers: JSON.stringify(v1.http_headers) })
      .where('image_id', '=', id)
      .where('version', '=', 2)
      .execute();
    const error = await refusal(
      library.withStoredHeaders({ imageURL: `${ORIGIN}/a.raw`, libraryImage: { id, version: 2 } }),
    );
    expect(error).toMatchObject({ status: 503, code: 'SECRETS_KEY_MISMATCH' });
  });

  it('refuses, with the remedy, to use or add values under another key', async () => {
    const { detail } = await library.create(image('Keyed', withToken), null);
    const ref = { id: detail.image.id, version: 1 };
    const other = console({ secretsKey: randomBytes(32) });
    const use = await refusal(
      other.withStoredHeaders({ imageURL: `${ORIGIN}/a.raw`, libraryImage: ref }),
    );
    expect(use).toMatchObject({ status: 503, code: 'SECRETS_KEY_MISMATCH' });
    expect(use.message).toMatch(/another secrets key \(fingerprint [0-9a-f]{12}\)/);
    expect(use.message).toMatch(/start the console with the SECRETS_KEY they were stored with/);
    expect(await refusal(other.create(image('Keyed too', withToken), null))).toMatchObject({
      status: 503,
      code: 'SECRETS_KEY_MISMATCH',
    });
    // What does not need the key still works.
    await expect(other.create(image('Keyless'), null)).resolves.toBeDefined();
    expect(await other.secrets.startupWarning()).toBe(use.message);
    expect(await library.secrets.startupWarning()).toBeNull();
  });

  it('in real mode without SECRETS_KEY, refuses to store values and cannot use stored ones', async () => {
    const { detail } = await library.create(image('Real mode', withToken), null);
    const real = console({ mode: 'real', secretsKey: undefined });
    const store = await refusal(real.create(image('Real with value', withToken), null));
    expect(store).toMatchObject({ status: 400, code: 'SECRETS_KEY_MISSING' });
    expect(store.message).toMatch(/SECRETS_KEY is not set/);
    expect(store.message).toMatch(/openssl rand -base64 32/);
    await expect(real.create(image('Real without value'), null)).resolves.toBeDefined();
    const use = await refusal(
      real.withStoredHeaders({
        imageURL: `${ORIGIN}/a.raw`,
        libraryImage: { id: detail.image.id, version: 1 },
      }),
    );
    expect(use).toMatchObject({ status: 503, code: 'SECRETS_KEY_MISSING' });
    expect(await real.secrets.startupWarning()).toMatch(/SECRETS_KEY is not set/);
  });
});
