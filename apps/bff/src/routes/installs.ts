/**
 * The install history, from the install records (store/installRecords.ts), for every signed-in
 * role: `GET /api/servers/:sn/installs?limit=&cursor=` (a server's installs, newest first) and
 * `GET /api/installs/:id` (one install, which "Reinstall with the same image" starts from). A
 * server outside the user's patterns is hidden exactly like one the account does not hold: the
 * `/servers/:sn` guard answers the list's 404, and one install on such a server is not found.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { InstallHistoryEntryDto, InstallHistoryResponse } from '@byoi/shared';
import { ApiError } from '../apiError.ts';
import { sessionUser } from '../middleware/session.ts';
import { markScopeRefusal } from '../middleware/requireRole.ts';
import type { OvhApi } from '../ovh/api.ts';
import { requireServer } from '../servers/requireServer.ts';
import type {
  HistoryCursor,
  InstallHistoryRecord,
  InstallRecords,
} from '../store/installRecords.ts';

export const HISTORY_DEFAULT_LIMIT = 20;
export const HISTORY_MAX_LIMIT = 100;

export interface InstallsDeps {
  ovh: OvhApi;
  records: Pick<InstallRecords, 'history' | 'find'>;
}

/** A cursor is the last entry of a page: its submit time and id, as base64url JSON. */
export function encodeHistoryCursor(cursor: HistoryCursor): string {
  return Buffer.from(JSON.stringify([cursor.submittedAt.toISOString(), cursor.id])).toString(
    'base64url',
  );
}

function decodeHistoryCursor(text: string): HistoryCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [time, id] = value as unknown[];
    if (typeof time !== 'string' || typeof id !== 'string') return null;
    const submittedAt = new Date(time);
    return Number.isNaN(submittedAt.getTime()) ? null : { submittedAt, id };
  } catch {
    return null;
  }
}

const CURSOR_HINT = 'cursor must be the nextCursor of an earlier answer, unchanged.';

const historyQuery = z.strictObject({
  limit: z.coerce
    .number({ error: 'limit must be a number.' })
    .int({ error: 'limit must be a whole number.' })
    .min(1, { error: 'limit must be at least 1.' })
    .max(HISTORY_MAX_LIMIT, { error: `limit must be at most ${HISTORY_MAX_LIMIT}.` })
    .default(HISTORY_DEFAULT_LIMIT),
  cursor: z
    .string({ error: CURSOR_HINT })
    .transform((text, ctx) => {
      const cursor = decodeHistoryCursor(text);
      if (!cursor) ctx.addIssue({ code: 'custom', message: CURSOR_HINT });
      return cursor ?? undefined;
    })
    .optional(),
});

function parseHistoryQuery(query: unknown): z.output<typeof historyQuery> {
  const parsed = historyQuery.safeParse(query);
  if (parsed.success) return parsed.data;
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path.join('.') || '_query';
    (fieldErrors[key] ??= []).push(
      issue.code === 'unrecognized_keys'
        ? `Unknown query parameter(s): ${issue.keys.join(', ')}. Use limit and cursor.`
        : issue.message,
    );
  }
  throw new ApiError(
    400,
    'VALIDATION_FAILED',
    `Invalid history query: ${Object.values(fieldErrors).flat().join(' ')}`,
    { fieldErrors },
  );
}

export function toHistoryEntry(record: InstallHistoryRecord): InstallHistoryEntryDto {
  const { facts } = record;
  const submittedAt = new Date(record.submitted_at);
  const endedAt = record.ended_at === null ? null : new Date(record.ended_at);
  return {
    id: record.id,
    server: record.server,
    taskId: record.task_id,
    user: record.username,
    route: record.route,
    submittedAt: submittedAt.toISOString(),
    endedAt: endedAt?.toISOString() ?? null,
    durationSeconds:
      endedAt === null
        ? null
        : Math.max(0, Math.round((endedAt.getTime() - submittedAt.getTime()) / 1000)),
    outcome: record.state,
    message: record.message,
    image: {
      imageURL: facts.imageURL,
      imageURLRedacted: facts.imageURLRedacted,
      imageType: facts.imageType,
      imageCheckSum: facts.imageCheckSum,
      imageCheckSumType: facts.imageCheckSumType,
      efiBootloaderPath: facts.efiBootloaderPath,
      httpHeaderNames: facts.httpHeaderNames,
      customHostname: facts.customHostname,
      configDriveUserDataSha256: facts.configDriveUserDataSha256,
    },
    libraryImage:
      record.image_id === null || record.image_version === null
        ? null
        : {
            id: record.image_id,
            name: record.image_name ?? record.image_id,
            version: record.image_version,
          },
  };
}

export function installsRouter({ ovh, records }: InstallsDeps): Router {
  const router = Router();

  router.get('/servers/:sn/installs', async (req, res) => {
    const sn = req.params.sn;
    const { limit, cursor } = parseHistoryQuery(req.query);
    await requireServer(ovh, sn);
    // One more than asked tells whether there is an older page.
    const rows = await records.history(sn, { limit: limit + 1, cursor });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const body: InstallHistoryResponse = {
      entries: page.map(toHistoryEntry),
      nextCursor:
        rows.length > limit && last
          ? encodeHistoryCursor({ submittedAt: new Date(last.submitted_at), id: last.id })
          : null,
    };
    res.json(body);
  });

  router.get('/installs/:id', async (req, res) => {
    const record = await records.find(req.params.id);
    const hidden = record != null && !(sessionUser(req)?.canAccessServer(record.server) ?? false);
    // Audited like any server the user may not see: a refusal, not a plain miss.
    if (hidden) markScopeRefusal(req);
    if (!record || hidden) {
      throw new ApiError(
        404,
        'NOT_FOUND',
        `There is no install with id "${req.params.id}". Pick one from a server's install history.`,
      );
    }
    const body: { entry: InstallHistoryEntryDto } = { entry: toHistoryEntry(record) };
    res.json(body);
  });

  return router;
}
