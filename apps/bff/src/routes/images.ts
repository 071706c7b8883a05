/**
 * The image library: named images with numbered versions. Every signed-in user reads it; operators
 * create images, add versions, rename and archive them, and each such change is an audit entry of
 * its own. Header values go in and never come out: answers carry header names only.
 */
import { Router, type Request } from 'express';
import {
  createLibraryImageSchema,
  libraryImageVersionSchema,
  updateLibraryImageSchema,
  type AuditEvent,
  type LibraryImageDetailResponse,
  type LibraryImageInstallsResponse,
  type LibraryImageListResponse,
} from '@byoi/shared';
import { ApiError } from '../apiError.ts';
import { parseSavedBody } from '../jsonRequest.ts';
import type { AuditLog, NewAuditEntry } from '../audit/auditLog.ts';
import { requestFacts } from '../audit/auditTrail.ts';
import { requireRole } from '../middleware/requireRole.ts';
import { sessionUser } from '../middleware/session.ts';
import { redactUrl } from '../redact.ts';
import type { ImageLibrary, LibraryChange } from '../store/imageLibrary.ts';

export interface ImagesDeps {
  library: ImageLibrary;
  audit: Pick<AuditLog, 'recordDurably'>;
}

function searchOf(req: Request): string {
  const { search } = req.query;
  if (search === undefined || typeof search === 'string') return search ?? '';
  throw new ApiError(
    400,
    'BAD_REQUEST',
    'Give search once, as text, e.g. /api/images?search=debian.',
  );
}

/** The audit entry of a change: what the image became; for a version, its image facts. */
function changeEntry(
  req: Request,
  event: Extract<AuditEvent, `image-${string}`>,
  status: number,
  change: LibraryChange,
): NewAuditEntry {
  const { image } = change.detail;
  const version = change.version;
  const facts = version?.facts;
  return {
    ...requestFacts(req, status),
    event,
    outcome: 'success',
    imageId: image.id,
    imageName: image.name,
    ...(version ? { imageVersion: version.number } : {}),
    ...(facts
      ? {
          imageURL: redactUrl(facts.imageURL),
          imageType: facts.imageType,
          ...(facts.imageCheckSum !== undefined ? { imageCheckSum: facts.imageCheckSum } : {}),
          ...(facts.imageCheckSumType !== undefined
            ? { imageCheckSumType: facts.imageCheckSumType }
            : {}),
          ...(facts.checksumFileURL !== undefined
            ? { checksumFileURL: redactUrl(facts.checksumFileURL) }
            : {}),
          httpHeaders: facts.httpHeaders,
        }
      : {}),
  };
}

export function imagesRouter({ library, audit }: ImagesDeps): Router {
  const router = Router();
  const operator = requireRole('operator');
  const by = (req: Request) => sessionUser(req)?.username ?? null;
  const id = (req: Request) => String(req.params.id);

  router.get('/', async (req, res) => {
    const body: LibraryImageListResponse = { images: await library.list(searchOf(req)) };
    res.json(body);
  });

  router.post('/', operator, async (req, res) => {
    const input = parseSavedBody(req, createLibraryImageSchema, 'new image');
    const change = await library.create(input, by(req));
    await audit.recordDurably(changeEntry(req, 'image-create', 201, change));
    const body: LibraryImageDetailResponse = change.detail;
    res.status(201).json(body);
  });

  router.get('/:id', async (req, res) => {
    const body: LibraryImageDetailResponse = await library.detail(id(req));
    res.json(body);
  });

  router.patch('/:id', operator, async (req, res) => {
    const patch = parseSavedBody(req, updateLibraryImageSchema, 'image change');
    const change = await library.update(id(req), patch);
    await audit.recordDurably(changeEntry(req, 'image-update', 200, change));
    const body: LibraryImageDetailResponse = change.detail;
    res.json(body);
  });

  router.post('/:id/versions', operator, async (req, res) => {
    const input = parseSavedBody(req, libraryImageVersionSchema, 'new version');
    const change = await library.addVersion(id(req), input, by(req));
    await audit.recordDurably(changeEntry(req, 'image-version', 201, change));
    const body: LibraryImageDetailResponse = change.detail;
    res.status(201).json(body);
  });

  router.delete('/:id', operator, async (req, res) => {
    const change = await library.archive(id(req));
    // Archiving an archived image changes nothing, so it is not a change to audit.
    if (change.changed) await audit.recordDurably(changeEntry(req, 'image-archive', 200, change));
    const body: LibraryImageDetailResponse = change.detail;
    res.json(body);
  });

  router.get('/:id/installs', async (req, res) => {
    const body: LibraryImageInstallsResponse = await library.installs(id(req));
    res.json(body);
  });

  return router;
}
