/**
 * The fleet: list (paged, filtered by name), one server's page, its compatible templates.
 *
 * Filtering is by service name only: display names live in each server's details, and filtering
 * on them would mean fetching every server's details on every search.
 *
 * `installing` in the list comes from what this process has seen (installs it submitted, progress
 * it has read), re-checked with OVH only for the servers of the page it flags — not one status
 * call per row. An install started outside this console shows once its server page is opened.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { ServerDetailResponse, ServerListResponse } from '@byoi/shared';
import { ApiError } from '../apiError.ts';
import type { InstallTracker } from '../install/installTracker.ts';
import { readInstallProgress } from '../install/progress.ts';
import type { OvhApi } from '../ovh/api.ts';
import { OvhError } from '../ovh/errors.ts';
import type { InstallationTemplate } from '../ovh/types.ts';
import { toHardwareDto, toServerDetail, toServerSummary } from '../servers/mapping.ts';
import { requireServer } from '../servers/requireServer.ts';
import { groupTemplates } from '../servers/templates.ts';

export const MAX_PAGE_SIZE = 200;

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
}

export function serversRouter({ ovh, tracker }: ServersDeps): Router {
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
    const names = (await ovh.listServers())
      .filter((name) => name.toLowerCase().includes(needle))
      .sort((a, b) => a.localeCompare(b));
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
      readInstallProgress(ovh, sn),
    ]);
    tracker.observe(sn, install.state);
    const body: ServerDetailResponse = {
      server: toServerDetail(server, install.state === 'running'),
      hardware: toHardwareDto(hardware),
      install,
    };
    res.json(body);
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
