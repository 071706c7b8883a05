/**
 * The image library in the store: named images, each with numbered versions that never change once
 * written (a change is a new version), archived rather than deleted so that the install history
 * keeps its link. Header values are sealed before they reach the store and opened only to be sent
 * to the image's own origin; what leaves this module for a browser carries header names only.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import {
  MAX_HTTP_HEADERS,
  type ChecksumType,
  type CreateLibraryImage,
  type ImageType,
  type LibraryImageDetailResponse,
  type LibraryImageDto,
  type LibraryImageInstallsResponse,
  type LibraryImageRef,
  type LibraryImageVersion,
  type LibraryImageVersionDto,
  type PreflightVerdict,
  type UpdateLibraryImage,
} from '@byoi/shared';
import { ApiError } from '../apiError.ts';
import { sha256Hex } from '../redact.ts';
import type { Logger } from '../logger.ts';
import { HeaderSecrets } from '../secrets/headerSecrets.ts';
import { headerContext, type SecretBox } from '../secrets/secretBox.ts';
import type { SecretsKeySettings } from '../secrets/secretsKey.ts';
import type {
  Database,
  ImageTable,
  ImageVersionTable,
  StoredHeader,
  StoredImageCheck,
} from './schema.ts';
import type { Store } from './store.ts';

type ImageRow = Selectable<ImageTable>;
type VersionRow = Selectable<ImageVersionTable>;

/** What a change stored, for its audit entry: header values only as SHA-256. */
export interface LibraryChange {
  detail: LibraryImageDetailResponse;
  version?: {
    number: number;
    facts: VersionFacts;
  };
}

export interface VersionFacts {
  imageURL: string;
  imageType: string;
  imageCheckSum?: string;
  imageCheckSumType?: string;
  checksumFileURL?: string;
  httpHeaders: { name: string; valueSha256: string }[];
}

/** The fields of a form that can come from a library version. */
export interface LibraryForm {
  imageURL: string;
  httpHeaders?: { name: string; value: string }[] | undefined;
  libraryImage?: LibraryImageRef | undefined;
}

export interface CheckRecord {
  verdict: PreflightVerdict;
  server: string;
  user: string | null;
  predictedMessage: string | null;
  /** The image that was checked: the check is the version's only if it is the version's image. */
  imageURL: string;
  imageType: string;
}

const SEARCH_MAX_LENGTH = 200;
const UNIQUE_VIOLATION = '23505';

function validation(fieldErrors: Record<string, string[]>, message: string): ApiError {
  return new ApiError(400, 'VALIDATION_FAILED', message, { fieldErrors });
}

function notFound(id: string): ApiError {
  return new ApiError(
    404,
    'NOT_FOUND',
    `There is no image "${id.slice(0, 100)}" in the library. Open the library to find the image you mean.`,
  );
}

function archived(image: ImageRow): ApiError {
  return new ApiError(
    409,
    'IMAGE_ARCHIVED',
    `The image "${image.name}" was archived on ${iso(image.archived_at)}: it can be read but not changed. Create a new image instead.`,
  );
}

function nameTaken(name: string): ApiError {
  return new ApiError(
    409,
    'IMAGE_NAME_TAKEN',
    `Another image of the library is already called "${name}" (names are compared without regard to case). Choose another name, or add a version to that image.`,
    { fieldErrors: { name: ['Another image has this name. Choose another one.'] } },
  );
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;
}

const iso = (value: Date | string | null): string =>
  value === null ? '' : new Date(value).toISOString();

/** A LIKE pattern matching `text` anywhere, its wildcards taken literally. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function toVersionDto(row: VersionRow): LibraryImageVersionDto {
  return {
    version: row.version,
    imageURL: row.image_url,
    imageType: row.image_type as ImageType,
    imageCheckSum: row.checksum,
    imageCheckSumType: row.checksum_type as ChecksumType | null,
    checksumFileURL: row.checksum_file_url,
    efiBootloaderPath: row.efi_bootloader_path,
    httpHeaders: row.http_headers.map((header) => ({ name: header.name })),
    notes: row.notes,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    lastCheck: row.last_check,
  };
}

function toImageDto(row: ImageRow, latest: VersionRow, versionCount: number): LibraryImageDto {
  return {
    id: row.id,
    name: row.name,
    notes: row.notes,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    latest: toVersionDto(latest),
    versionCount,
    ...(row.archived_at !== null ? { archivedAt: iso(row.archived_at) } : {}),
  };
}

function facts(version: LibraryImageVersion, headers: { name: string; value: string }[]) {
  return {
    imageURL: version.imageURL,
    imageType: version.imageType,
    ...(version.imageCheckSum !== undefined ? { imageCheckSum: version.imageCheckSum } : {}),
    ...(version.imageCheckSumType !== undefined
      ? { imageCheckSumType: version.imageCheckSumType }
      : {}),
    ...(version.checksumFileURL !== undefined ? { checksumFileURL: version.checksumFileURL } : {}),
    httpHeaders: headers.map((h) => ({ name: h.name, valueSha256: sha256Hex(h.value) })),
  } satisfies VersionFacts;
}

export class ImageLibrary {
  readonly #db: Store['db'];
  readonly secrets: HeaderSecrets;
  readonly #now: () => Date;

  constructor(store: Store, secrets: HeaderSecrets, now: () => Date = () => new Date()) {
    this.#db = store.db;
    this.secrets = secrets;
    this.#now = now;
  }

  /** Images not archived, by name; `search` matches part of a name, the notes or an image URL. */
  async list(search = ''): Promise<LibraryImageDto[]> {
    const text = search.trim().slice(0, SEARCH_MAX_LENGTH);
    let query = this.#db.selectFrom('images').selectAll().where('archived_at', 'is', null);
    if (text !== '') {
      const pattern = containing(text);
      query = query.where((eb) =>
        eb.or([
          eb('name', 'ilike', pattern),
          eb('notes', 'ilike', pattern),
          eb.exists(
            eb
              .selectFrom('image_versions')
              .select('image_versions.version')
              .whereRef('image_versions.image_id', '=', 'images.id')
              .where('image_versions.image_url', 'ilike', pattern),
          ),
        ]),
      );
    }
    const images = await query
      .orderBy(sql`lower(name)`)
      .orderBy('id')
      .execute();
    if (images.length === 0) return [];
    const ids = images.map((image) => image.id);
    const [latest, counts] = await Promise.all([
      this.#db
        .selectFrom('image_versions')
        .selectAll()
        .distinctOn('image_id')
        .where('image_id', 'in', ids)
        .orderBy('image_id')
        .orderBy('version', 'desc')
        .execute(),
      this.#db
        .selectFrom('image_versions')
        .select(['image_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('image_id', 'in', ids)
        .groupBy('image_id')
        .execute(),
    ]);
    const latestOf = new Map(latest.map((row) => [row.image_id, row]));
    const countOf = new Map(counts.map((row) => [row.image_id, Number(row.n)]));
    return images.flatMap((image) => {
      const row = latestOf.get(image.id);
      return row ? [toImageDto(image, row, countOf.get(image.id) ?? 1)] : [];
    });
  }

  /** The image with every version, newest first; archived images too (history links to them). */
  async detail(id: string, db: Kysely<Database> = this.#db): Promise<LibraryImageDetailResponse> {
    const image = await db.selectFrom('images').selectAll().where('id', '=', id).executeTakeFirst();
    if (!image) throw notFound(id);
    const versions = await db
      .selectFrom('image_versions')
      .selectAll()
      .where('image_id', '=', id)
      .orderBy('version', 'desc')
      .execute();
    const [latest] = versions;
    // Every image is created with its first version, in one transaction.
    if (!latest) throw notFound(id);
    const detail: LibraryImageDetailResponse = {
      image: toImageDto(image, latest, versions.length),
      versions: versions.map(toVersionDto),
    };
    return detail;
  }

  async create(input: CreateLibraryImage, by: string | null): Promise<LibraryChange> {
    const id = randomUUID();
    const now = this.#now();
    const headers = input.version.httpHeaders.map((header, index) => {
      if (header.value === undefined) {
        throw validation(
          {
            [`version.httpHeaders.${index}.value`]: [
              'Enter the HTTP header value: a new image has no earlier version to keep it from.',
            ],
          },
          `The HTTP header "${header.name}" has no value, and a new image has no earlier version to keep one from. Enter its value, or remove the header.`,
        );
      }
      return { name: header.name, value: header.value };
    });
    const box = await this.#boxFor(input.version);
    try {
      return await this.#db.transaction().execute(async (trx) => {
        await trx
          .insertInto('images')
          .values({
            id,
            name: input.name,
            notes: input.notes,
            created_by: by,
            created_at: now,
            updated_at: now,
          })
          .execute();
        await this.#insertVersion(trx, id, 1, input.version, headers, box, by, now);
        return {
          detail: await this.detail(id, trx),
          version: { number: 1, facts: facts(input.version, headers) },
        };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(input.name);
      throw error;
    }
  }

  async update(id: string, patch: UpdateLibraryImage): Promise<LibraryChange> {
    try {
      return await this.#db.transaction().execute(async (trx) => {
        const image = await this.#lock(trx, id);
        if (image.archived_at !== null) throw archived(image);
        await trx
          .updateTable('images')
          .set({
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
            updated_at: this.#now(),
          })
          .where('id', '=', id)
          .execute();
        return { detail: await this.detail(id, trx) };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(patch.name ?? '');
      throw error;
    }
  }

  /**
   * Adds the next version. A header without a value keeps the one the latest version stored
   * under that name (opened and sealed again for the new version); a header left out is dropped.
   */
  async addVersion(
    id: string,
    input: LibraryImageVersion,
    by: string | null,
  ): Promise<LibraryChange> {
    // The key is checked before the transaction: the check reads the store itself.
    const box = await this.#boxFor(input);
    return this.#db.transaction().execute(async (trx) => {
      const image = await this.#lock(trx, id);
      if (image.archived_at !== null) throw archived(image);
      const previous = await trx
        .selectFrom('image_versions')
        .selectAll()
        .where('image_id', '=', id)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      const number = (previous?.version ?? 0) + 1;
      const headers = input.httpHeaders.map((header, index) => {
        if (header.value !== undefined) return { name: header.name, value: header.value };
        const kept = previous?.http_headers.find(
          (stored) => stored.name.toLowerCase() === header.name.toLowerCase(),
        );
        if (!kept || !box || !previous) {
          throw validation(
            {
              [`httpHeaders.${index}.value`]: [
                `Enter the value: version ${previous?.version ?? 0} has no "${header.name}" header to keep it from.`,
              ],
            },
            `The HTTP header "${header.name}" has no value, and the latest version stored none under that name. Enter its value, or remove the header.`,
          );
        }
        const context = headerContext(id, previous.version, kept.name);
        return { name: header.name, value: this.secrets.open(box, kept.value, context) };
      });
      const now = this.#now();
      await this.#insertVersion(trx, id, number, input, headers, box, by, now);
      await trx.updateTable('images').set({ updated_at: now }).where('id', '=', id).execute();
      return {
        detail: await this.detail(id, trx),
        version: { number, facts: facts(input, headers) },
      };
    });
  }

  /** Archives the image: out of the list, its name free again, its history still linked. */
  async archive(id: string): Promise<LibraryChange & { changed: boolean }> {
    return this.#db.transaction().execute(async (trx) => {
      const image = await this.#lock(trx, id);
      if (image.archived_at !== null) return { detail: await this.detail(id, trx), changed: false };
      const now = this.#now();
      await trx
        .updateTable('images')
        .set({ archived_at: now, updated_at: now })
        .where('id', '=', id)
        .execute();
      return { detail: await this.detail(id, trx), changed: true };
    });
  }

  /**
   * The servers whose latest install by this console came from this image, newest first: a
   * server reinstalled since with something else no longer runs it.
   */
  async installs(id: string): Promise<LibraryImageInstallsResponse> {
    const image = await this.#db
      .selectFrom('images')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!image) throw notFound(id);
    const rows = await this.#db
      .selectFrom('installs as i')
      .select(['i.server', 'i.image_version', 'i.id', 'i.submitted_at', 'i.state'])
      .where('i.image_id', '=', id)
      .where((outer) =>
        outer.not(
          outer.exists(
            outer
              .selectFrom('installs as later')
              .select('later.id')
              .whereRef('later.server', '=', 'i.server')
              .where((eb) =>
                eb.or([
                  eb('later.submitted_at', '>', eb.ref('i.submitted_at')),
                  eb.and([
                    eb('later.submitted_at', '=', eb.ref('i.submitted_at')),
                    eb('later.id', '>', eb.ref('i.id')),
                  ]),
                ]),
              ),
          ),
        ),
      )
      .orderBy('i.submitted_at', 'desc')
      .orderBy('i.server')
      .execute();
    return {
      servers: rows.map((row) => ({
        server: row.server,
        version: row.image_version ?? 0,
        installId: row.id,
        submittedAt: iso(row.submitted_at),
        outcome: row.state,
      })),
    };
  }

  /**
   * The form with the referenced version's stored headers added (opened), for the names the form
   * does not carry itself — only when the form's image URL is on the origin the version stored
   * them for, since the values belong to that host. A form without `libraryImage` is unchanged.
   */
  async withStoredHeaders<F extends LibraryForm>(form: F): Promise<F> {
    const ref = form.libraryImage;
    if (ref === undefined) return form;
    const found = await this.#db
      .selectFrom('images')
      .leftJoin('image_versions', (join) =>
        join
          .onRef('image_versions.image_id', '=', 'images.id')
          .on('image_versions.version', '=', ref.version),
      )
      .select([
        'images.name',
        'images.archived_at',
        'image_versions.image_url',
        'image_versions.http_headers',
      ])
      .where('images.id', '=', ref.id)
      .executeTakeFirst();
    if (!found) {
      throw validation(
        { 'libraryImage.id': ['There is no such image in the library: pick the image again.'] },
        'libraryImage.id names no image of the library (it may have been archived and removed, or mistyped). Pick the image again from the library.',
      );
    }
    if (found.archived_at !== null) {
      throw validation(
        { 'libraryImage.id': [`The image "${found.name}" is archived: pick another image.`] },
        `The library image "${found.name}" is archived, so its stored header values are no longer used. Pick another image, or enter the header values yourself.`,
      );
    }
    if (found.image_url === null || found.http_headers === null) {
      throw validation(
        {
          'libraryImage.version': [
            `The image "${found.name}" has no version ${ref.version}: pick one of its versions.`,
          ],
        },
        `The library image "${found.name}" has no version ${ref.version}. Pick one of its versions.`,
      );
    }
    const carried = form.httpHeaders ?? [];
    const names = new Set(carried.map((header) => header.name.toLowerCase()));
    const missing = found.http_headers.filter((header) => !names.has(header.name.toLowerCase()));
    if (missing.length === 0) return form;
    const origin = new URL(found.image_url).origin;
    if (new URL(form.imageURL).origin !== origin) {
      throw validation(
        {
          imageURL: [
            `The stored header values of "${found.name}" version ${ref.version} belong to ${origin}; re-enter them or pick another version.`,
          ],
        },
        `The image URL is not on ${origin}, where the stored HTTP header values of "${found.name}" version ${ref.version} belong, so they are not sent. Re-enter the header values, or pick another version.`,
      );
    }
    if (carried.length + missing.length > MAX_HTTP_HEADERS) {
      throw validation(
        {
          httpHeaders: [
            `With the ${missing.length} stored header(s) of the library version, there would be more than ${MAX_HTTP_HEADERS}. Remove some.`,
          ],
        },
        `OVH accepts at most ${MAX_HTTP_HEADERS} HTTP headers; the form's and the library version's together are more. Remove the ones the image server does not need.`,
      );
    }
    const box = await this.secrets.box('use');
    const added = missing.map((header) => ({
      name: header.name,
      value: this.secrets.open(box, header.value, headerContext(ref.id, ref.version, header.name)),
    }));
    return { ...form, httpHeaders: [...carried, ...added] };
  }

  /** Keeps a preflight's verdict as the version's last check, when it checked the version's image. */
  async recordCheck(ref: LibraryImageRef, check: CheckRecord): Promise<void> {
    const lastCheck: StoredImageCheck = {
      verdict: check.verdict,
      at: this.#now().toISOString(),
      server: check.server,
      user: check.user,
      predictedMessage: check.predictedMessage,
    };
    await this.#db
      .updateTable('image_versions')
      .set({ last_check: JSON.stringify(lastCheck) })
      .where('image_id', '=', ref.id)
      .where('version', '=', ref.version)
      .where('image_url', '=', check.imageURL)
      .where('image_type', '=', check.imageType)
      .execute();
  }

  /** The secrets box when the version has headers (to seal, or to keep a stored value). */
  async #boxFor(version: LibraryImageVersion): Promise<SecretBox | null> {
    return version.httpHeaders.length > 0 ? this.secrets.box('store') : null;
  }

  async #lock(trx: Transaction<Database>, id: string): Promise<ImageRow> {
    const image = await trx
      .selectFrom('images')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!image) throw notFound(id);
    return image;
  }

  async #insertVersion(
    trx: Transaction<Database>,
    id: string,
    number: number,
    input: LibraryImageVersion,
    headers: { name: string; value: string }[],
    box: SecretBox | null,
    by: string | null,
    now: Date,
  ): Promise<void> {
    const sealed: StoredHeader[] = headers.map((header) => {
      if (!box) throw new Error('headers to seal without a secrets box');
      return {
        name: header.name,
        value: box.seal(header.value, headerContext(id, number, header.name)),
      };
    });
    await trx
      .insertInto('image_versions')
      .values({
        image_id: id,
        version: number,
        image_url: input.imageURL,
        image_type: input.imageType,
        checksum: input.imageCheckSum ?? null,
        checksum_type: input.imageCheckSumType ?? null,
        checksum_file_url: input.checksumFileURL ?? null,
        efi_bootloader_path: input.efiBootloaderPath ?? null,
        http_headers: JSON.stringify(sealed),
        notes: input.notes,
        created_by: by,
        created_at: now,
      })
      .execute();
  }
}

/**
 * The library of this console, its header values sealed with the configured key. Warns once,
 * at start, when the store holds values sealed with another key.
 */
export function createImageLibrary(deps: {
  store: Store;
  config: SecretsKeySettings;
  logger: Pick<Logger, 'warn'>;
}): ImageLibrary {
  const library = new ImageLibrary(deps.store, new HeaderSecrets(deps.store, deps.config));
  library.secrets.startupWarning().then(
    (warning) => {
      if (warning !== null) deps.logger.warn({}, warning);
    },
    (error: unknown) => {
      deps.logger.warn(
        { err: error instanceof Error ? { name: error.name, message: error.message } : {} },
        'could not check the secrets key against the store',
      );
    },
  );
  return library;
}
