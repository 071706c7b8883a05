/**
 * The fleet: list (paged, filtered by name), one server's page, its compatible templates.
 *
 * Filtering is by service name only: display names live in each server's details, and filtering
 * on them would mean fetching every server's details on every search.
 *
 * `installing` in the list comes from what this process has seen (installs it submitted, progress
 * it has read), re-checked with OVH only for the servers of the page it flags — not one status
 * call per row. An install started outside this console shows once its server page is opened.
 *
 * Speed with a large fleet: the names are cached and sorted once per fetch of them, and a page's
 * detail calls go out through OvhApi's bounded, FIFO queue (first page first), shared with any
 * identical call in flight and cached for the TTL. A server page's install progress is kept for
 * the TTL while settled (idle, done, failed, cancelled): an install submitted here drops it, and
 * one started elsewhere shows within two TTLs (entries are answered stale while they refresh).
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { ServerListResponse } from '@byoi/shared';
import { ApiError } from '../apiError.ts';
import type { InstallTracker } from '../install/installTracker.ts';
import { readInstallProgress } from '../install/progress.ts';
import type { OvhApi } from '../ovh/api.ts';
import { OvhError } from '../ovh/errors.ts';
import type { InstallationTemplate } from '../ovh/types.ts';
import { serverDetailJson, toServerSummary } from '../servers/mapping.ts';
import { requireServer } from '../servers/requireServer.ts';
import { groupTemplates } from '../servers/templates.ts';

export const MAX_PAGE_SIZE = 200;

// The same order as `localeCompare`, an order of magnitude faster on a 1,000-name fleet.
const byName = new Intl.Collator().compare;
const sortedFleets = new WeakMap<readonly string[], readonly string[]>();

/** OvhApi hands out the same names array until its TTL ends: sort each one once. */
function sortedNames(names: readonly string[]): readonly string[] {
  let sorted = sortedFleets.get(names);
  if (!sorted) {
    sorted = [...names].sort(byName);
    sortedFleets.set(names, sorted);
  }
  return sorted;
}

const listQuery = z.strictObject({
  page: z.coerce
    .number({ error: 'page must be a number.' })
    .int({ error: 'page must be a whole number.' })
    .min(1, { error: 'page starts at 1.' })
    .default(1),
  pageSize: z.coerce
    .number({ error: 'pageSize must be a number.' })
    .int({ error: 'pageSize must be a whole number.' })
    .min(1, { error: 'pageSize must be at least 1.' })
    .max(MAX_PAGE_SIZE, { error: `pageSize must be at most ${MAX_PAGE_SIZE}.` })
    .default(50),
  search: z
    .string({ error: 'search must be given once, as text.' })
    .max(255, { error: 'search must be at most 255 characters.' })
    .default(''),
});

export interface ServersDeps {
  ovh: OvhApi;
  tracker: InstallTracker;
  /** Whether the signed-in user may see this server (their name patterns); others are left out. */
  canSee: (req: Request, serverName: string) => boolean;
}

export function serversRouter({ ovh, tracker, canSee }: ServersDeps): Router {
  const router = Router();

  async function installingNow(sn: string): Promise<boolean> {
    if (!tracker.isKnownRunning(sn)) return false;
    const progress = await readInstallProgress(ovh, sn);
    tracker.observe(sn, progress.state);
    return progress.state === 'running';
  }

  router.get('/', async (req, res) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) {
      const fieldErrors: Record<string, string[]> = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path.join('.') || '_query';
        (fieldErrors[key] ??= []).push(
          issue.code === 'unrecognized_keys'
            ? `Unknown query parameter(s): ${issue.keys.join(', ')}. Use page, pageSize and search.`
            : issue.message,
        );
      }
      throw new ApiError(
        400,
        'VALIDATION_FAILED',
        `Invalid list query: ${Object.values(fieldErrors).flat().join(' ')}`,
        { fieldErrors },
      );
    }
    const { page, pageSize, search } = parsed.data;
    const needle = search.trim().toLowerCase();
    const names = sortedNames(await ovh.listServers()).filter(
      (name) => canSee(req, name) && name.toLowerCase().includes(needle),
    );
    const pageNames = names.slice((page - 1) * pageSize, page * pageSize);
    // OvhApi bounds the concurrency of these detail calls.
    const items = await Promise.all(
      pageNames.map(async (sn) => {
        const [server, installing] = await Promise.all([ovh.getServer(sn), installingNow(sn)]);
        return toServerSummary(server, installing);
      }),
    );
    const body: ServerListResponse = { items, total: names.length, page, pageSize };
    res.json(body);
  });

  router.get('/:sn', async (req, res) => {
    const sn = req.params.sn;
    const server = await requireServer(ovh, sn);
    const [hardware, install] = await Promise.all([
      ovh.getHardware(sn),
      tracker.isKnownRunning(sn)
        ? readInstallProgress(ovh, sn)
        : ovh.remember(
            sn,
            'install-progress',
            () => readInstallProgress(ovh, sn),
            (progress) => progress.state !== 'running',
          ),
    ]);
    tracker.observe(sn, install.state);
    res.type('json').send(serverDetailJson(server, hardware, install));
  });

  router.get('/:sn/templates', async (req, res) => {
    const sn = req.params.sn;
    await requireServer(ovh, sn);
    const compatible = await ovh.getCompatibleTemplates(sn);
    const templates = await Promise.all(
      (compatible.ovh ?? []).map(async (name): Promise<InstallationTemplate | null> => {
        try {
          return await ovh.getTemplate(name);
        } catch (error) {
          // A template OVH lists but no longer describes is left out rather than failing the page.
          if (error instanceof OvhError && error.status === 404) return null;
          throw error;
        }
      }),
    );
    res.json(
      groupTemplates(
        templates.filter((t): t is InstallationTemplate => t !== null),
        compatible.personal ?? [],
      ),
    );
  });

  return router;
}
