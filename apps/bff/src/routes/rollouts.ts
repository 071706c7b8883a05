/**
 * Fleet rollouts: plan one (`POST /rollouts`: the servers, by name or by a search resolved now;
 * the image, from the library or typed; the plan), read them, and start, pause, resume or abort
 * one. Planning checks everything a single install would (the install form's own rules, which
 * servers the user may see) and stores the form sealed; nothing is sent to OVH until the driver
 * runs the check. Every change is the scheduler's decision, applied under the rollout's row lock:
 * a step the rollout's state forbids answers 409 with the scheduler's sentence.
 */
import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import {
  byoiFormSchemaFor,
  createRolloutSchema,
  fieldErrorsOf,
  rolloutPlanNotes,
  type AuditEvent,
  type ByoiForm,
  type CreateRollout,
  type CreateRolloutResponse,
  type InstallRoute,
  type RolloutDetailDto,
  type RolloutImageDto,
  type RolloutListResponse,
} from '@byoi/shared';
import { z } from 'zod';
import { ApiError } from '../apiError.ts';
import type { AuditLog, NewAuditEntry } from '../audit/auditLog.ts';
import { requestFacts } from '../audit/auditTrail.ts';
import { firstProblem, parseJsonRequest } from '../jsonRequest.ts';
import { requireRole } from '../middleware/requireRole.ts';
import { sessionUser } from '../middleware/session.ts';
import type { OvhApi } from '../ovh/api.ts';
import type { DedicatedServer } from '../ovh/types.ts';
import { redactUrl } from '../redact.ts';
import { sealForm } from '../rollouts/formVault.ts';
import type { RolloutEvent } from '../rollouts/scheduler.ts';
import type { HeaderSecrets } from '../secrets/headerSecrets.ts';
import { displayNameOf } from '../servers/mapping.ts';
import type { ImageLibrary } from '../store/imageLibrary.ts';
import {
  countsOf,
  etaSeconds,
  toServerDto,
  toSummaryDto,
  type Rollouts,
} from '../store/rollouts.ts';

export interface RolloutsDeps {
  rollouts: Rollouts;
  ovh: Pick<OvhApi, 'firstServers'>;
  library: Pick<ImageLibrary, 'detail'>;
  secrets: HeaderSecrets;
  installRoute: InstallRoute;
  audit: Pick<AuditLog, 'recordDurably'>;
  /** Tells the driver there is work now (a new rollout, a start or a resume). */
  nudge: () => void;
  now?: () => number;
}

const MAX_LIST = 100;
const TIMELINE = 200;

const listQuery = z.strictObject({
  limit: z.coerce
    .number({ error: 'limit must be a number.' })
    .int({ error: 'limit must be a whole number.' })
    .min(1, { error: 'limit must be at least 1.' })
    .max(MAX_LIST, { error: `limit must be at most ${MAX_LIST}.` })
    .default(25),
  cursor: z.string({ error: 'cursor must be given once, as text.' }).max(200).optional(),
});

const abortBody = z
  .strictObject(
    {
      cancelRunning: z
        .boolean({
          error:
            'cancelRunning must be true (also cancel the installs running at OVH, which leaves those servers unbootable) or false (let them finish).',
        })
        .default(false),
    },
    { error: 'The abort takes an object with the field cancelRunning, or no body.' },
  )
  .default({ cancelRunning: false });

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}\n${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [time, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('\n');
  const createdAt = new Date(time ?? '');
  if (!id || Number.isNaN(createdAt.getTime())) {
    throw new ApiError(
      400,
      'BAD_REQUEST',
      'cursor is not one this console gave: pass the nextCursor of the previous page, or leave it out for the newest rollouts.',
    );
  }
  return { createdAt, id };
}

function rolloutValidation(fieldErrors: Record<string, string[]>): string {
  return `The rollout has a problem, so nothing was planned. ${firstProblem(fieldErrors)}`;
}

/** Every server of the account the user may see, by name (one listing call per 1,000 servers). */
async function visibleFleet(ovh: RolloutsDeps['ovh'], req: Request) {
  const user = sessionUser(req);
  const { items } = await ovh.firstServers({ sort: 'name', order: 'ASC' });
  return items.filter((server) => user?.canAccessServer(server.name) ?? false);
}

async function resolveServers(
  ovh: RolloutsDeps['ovh'],
  req: Request,
  servers: CreateRollout['servers'],
): Promise<DedicatedServer[]> {
  const fleet = await visibleFleet(ovh, req);
  if (Array.isArray(servers)) {
    const byName = new Map(fleet.map((server) => [server.name, server]));
    const unknown = servers.filter((name) => !byName.has(name));
    if (unknown.length > 0) {
      const shown = unknown.slice(0, 5).join(', ');
      const more = unknown.length > 5 ? ` and ${unknown.length - 5} more` : '';
      // As for a single install: a server OVH does not list (or the user may not see) is a 404.
      throw new ApiError(
        404,
        'NOT_FOUND',
        `The rollout names servers that are not in this account or not among the servers you may see: ${shown}${more}. Nothing was planned. Copy the names from the server list.`,
        { fieldErrors: { servers: [`Unknown servers: ${shown}${more}.`] } },
      );
    }
    return servers.map((name) => byName.get(name) as DedicatedServer);
  }
  const needle = servers.search.toLowerCase();
  const datacenters = new Set(servers.datacenter.map((d) => d.toLowerCase()));
  const matching = fleet.filter(
    (server) =>
      (needle === '' ||
        server.name.toLowerCase().includes(needle) ||
        displayNameOf(server).toLowerCase().includes(needle)) &&
      (datacenters.size === 0 || datacenters.has(server.datacenter.toLowerCase())),
  );
  if (matching.length === 0) {
    throw new ApiError(
      400,
      'NO_SERVERS_MATCH',
      `No server you may see matches the search${servers.search ? ` "${servers.search}"` : ''}${datacenters.size ? ` in ${servers.datacenter.join(', ')}` : ''}. Nothing was planned: widen the search, or name the servers.`,
    );
  }
  if (matching.length > 1000) {
    throw new ApiError(
      400,
      'VALIDATION_FAILED',
      `The search matches ${matching.length} servers, more than the 1,000 one rollout covers. Narrow it (e.g. by datacenter) and plan several rollouts.`,
    );
  }
  return matching;
}

/** The install form every server gets, checked with the install form's own rules. */
async function formOf(
  deps: RolloutsDeps,
  input: CreateRollout,
): Promise<{ form: ByoiForm; image: RolloutImageDto }> {
  const { image, customizations } = input;
  let fields: Record<string, unknown>;
  let library: RolloutImageDto['libraryImage'] = null;
  let checksumFileURL: string | null = image.checksumFileURL ?? null;
  if (image.libraryImageId !== undefined && image.version !== undefined) {
    const found = await deps.library.detail(image.libraryImageId).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) {
        throw new ApiError(
          400,
          'VALIDATION_FAILED',
          'image.libraryImageId names no image of the library. Nothing was planned: pick the image again from the library.',
          { fieldErrors: { 'image.libraryImageId': ['No such library image.'] } },
        );
      }
      throw error;
    });
    if (found.image.archivedAt !== undefined) {
      throw new ApiError(
        400,
        'IMAGE_ARCHIVED',
        `The library image "${found.image.name}" is archived, so it cannot be rolled out. Pick another image. Nothing was planned.`,
      );
    }
    const version = found.versions.find((v) => v.version === image.version);
    if (!version) {
      throw new ApiError(
        400,
        'VALIDATION_FAILED',
        `The library image "${found.image.name}" has no version ${image.version}: pick one of its versions (1 to ${found.versions.length}). Nothing was planned.`,
        { fieldErrors: { 'image.version': [`No version ${image.version}.`] } },
      );
    }
    library = { id: found.image.id, name: found.image.name, version: version.version };
    checksumFileURL = version.checksumFileURL;
    fields = {
      imageURL: version.imageURL,
      imageType: version.imageType,
      ...(version.imageCheckSum !== null ? { imageCheckSum: version.imageCheckSum } : {}),
      ...(version.imageCheckSumType !== null
        ? { imageCheckSumType: version.imageCheckSumType }
        : {}),
      ...(version.efiBootloaderPath !== null
        ? { efiBootloaderPath: version.efiBootloaderPath }
        : {}),
      // The stored header values are added at each install, from the library (never copied).
      libraryImage: { id: found.image.id, version: version.version },
    };
  } else {
    fields = {
      imageURL: image.imageURL,
      imageType: image.imageType,
      ...(image.imageCheckSum !== undefined ? { imageCheckSum: image.imageCheckSum } : {}),
      ...(image.imageCheckSumType !== undefined
        ? { imageCheckSumType: image.imageCheckSumType }
        : {}),
      ...(image.efiBootloaderPath !== undefined
        ? { efiBootloaderPath: image.efiBootloaderPath }
        : {}),
      httpHeaders: image.httpHeaders,
    };
  }
  const composed = { ...fields, ...customizations };
  const parsed = byoiFormSchemaFor(deps.installRoute).safeParse(composed);
  if (!parsed.success) {
    const fieldErrors = fieldErrorsOf(parsed.error);
    throw new ApiError(400, 'VALIDATION_FAILED', rolloutValidation(fieldErrors), { fieldErrors });
  }
  const form = parsed.data;
  return {
    form,
    image: {
      imageURL: redactUrl(form.imageURL),
      imageType: form.imageType,
      imageCheckSum: form.imageCheckSum ?? null,
      imageCheckSumType: form.imageCheckSumType ?? null,
      checksumFileURL: checksumFileURL === null ? null : redactUrl(checksumFileURL),
      efiBootloaderPath: form.efiBootloaderPath ?? null,
      httpHeaderNames: form.httpHeaders.map((h) => h.name),
      libraryImage: library,
    },
  };
}

export function rolloutsRouter(deps: RolloutsDeps): Router {
  const { rollouts, audit } = deps;
  const now = deps.now ?? Date.now;
  const router = Router();

  function entry(
    req: Request,
    event: AuditEvent,
    status: number,
    rollout: { id: string; name: string; servers: number },
  ): NewAuditEntry {
    return {
      ...requestFacts(req, status, new Date(now())),
      event,
      outcome: 'success',
      rolloutId: rollout.id,
      rolloutName: rollout.name,
      serverCount: rollout.servers,
    };
  }

  async function detail(id: string): Promise<RolloutDetailDto> {
    const row = await rollouts.row(id);
    if (!row) {
      throw new ApiError(
        404,
        'NOT_FOUND',
        `There is no rollout ${id}. It may have been mistyped: open it from the rollout list.`,
      );
    }
    const [servers, events] = await Promise.all([
      rollouts.servers(id),
      rollouts.events(id, TIMELINE),
    ]);
    const counts = countsOf(servers.map((s) => s.state));
    const eligible = servers.length - counts.blocked;
    return {
      ...toSummaryDto(row, counts, etaSeconds(servers, row.plan, now())),
      servers: servers.map(toServerDto),
      matrix: row.matrix,
      notes: rolloutPlanNotes(row.plan, eligible),
      events,
      checkError: row.check_error,
    };
  }

  router.get('/', async (req, res) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) {
      throw new ApiError(400, 'BAD_REQUEST', parsed.error.issues[0]?.message ?? 'Bad query.');
    }
    const { limit, cursor } = parsed.data;
    const page = await rollouts.list(limit + 1, cursor ? decodeCursor(cursor) : null);
    const rows = page.rows.slice(0, limit);
    const last = rows.at(-1);
    const body: RolloutListResponse = {
      rollouts: rows.map((row) => toSummaryDto(row, page.counts.get(row.id) ?? countsOf([]), null)),
      nextCursor: page.rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
    };
    res.json(body);
  });

  router.get('/:id', async (req, res) => {
    res.json(await detail(req.params.id));
  });

  router.post('/', requireRole('operator'), async (req, res) => {
    const input = parseJsonRequest(req, createRolloutSchema, 'rollout', rolloutValidation);
    const { form, image } = await formOf(deps, input);
    const servers = await resolveServers(deps.ovh, req, input.servers);
    const id = randomUUID();
    const sealed = await sealForm(deps.secrets, id, form);
    const user = sessionUser(req);
    await rollouts.create({
      id,
      name: input.name,
      plan: input.plan,
      form: sealed,
      image,
      route: deps.installRoute,
      user: user ? { username: user.username, role: user.role } : null,
      servers: servers.map((server) => ({
        name: server.name,
        displayName: displayNameOf(server),
        datacenter: server.datacenter,
      })),
      now: now(),
    });
    await audit.recordDurably(
      entry(req, 'rollout-create', 201, { id, name: input.name, servers: servers.length }),
    );
    deps.nudge();
    const body: CreateRolloutResponse = { id };
    res.status(201).json(body);
  });

  /** A step asked by the operator: the scheduler's decision, or its refusal as a 409. */
  function step(
    verb: 'start' | 'pause' | 'resume' | 'abort',
    event: AuditEvent,
    eventOf: (req: Request) => RolloutEvent,
  ) {
    router.post(`/:id/${verb}`, requireRole('operator'), async (req, res) => {
      const id = req.params.id as string;
      const rolloutEvent = eventOf(req);
      const applied = await rollouts.apply(id, rolloutEvent, {
        user: sessionUser(req)?.username ?? null,
      });
      if (!applied) {
        throw new ApiError(
          404,
          'NOT_FOUND',
          `There is no rollout ${id}: open it from the rollout list.`,
        );
      }
      if (applied.error) throw new ApiError(409, 'ROLLOUT_CONFLICT', applied.error.message);
      await audit.recordDurably(
        entry(req, event, 200, {
          id,
          name: applied.row.name,
          servers: applied.rollout.servers.length,
        }),
      );
      deps.nudge();
      res.json(await detail(id));
    });
  }

  step('start', 'rollout-start', () => ({ kind: 'start', at: now() }));
  step('pause', 'rollout-pause', () => ({ kind: 'pause', at: now() }));
  step('resume', 'rollout-resume', () => ({ kind: 'resume', at: now() }));
  step('abort', 'rollout-abort', (req) => {
    const parsed = abortBody.safeParse(req.body ?? undefined);
    if (!parsed.success) {
      throw new ApiError(400, 'VALIDATION_FAILED', parsed.error.issues[0]?.message ?? 'Bad body.');
    }
    return { kind: 'abort', at: now(), cancelRunning: parsed.data.cancelRunning };
  });

  return router;
}
