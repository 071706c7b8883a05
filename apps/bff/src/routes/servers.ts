/**
 * The fleet: list (paged, searched and sorted by OVH), one server's page, its compatible templates.
 *
 * A page of the list is one upstream call: OVH's expanded list pages (`X-Pagination-*`) answer
 * full server objects, sorted and filtered by OVH, with the total for the pager. A search matches
 * the service name *or* the display name, which one OVH filter cannot say (filters all hold): the
 * two matches are asked at once (one round trip) and merged in OVH's order; only a search finding
 * more than `SEARCH_FETCH` servers of one kind asks OVH to count their overlap, for the total. A user limited to some servers by `*` patterns gets the same calls with a `like`
 * filter on the name; patterns OVH's filters cannot express (several, or with `?`) read the whole
 * fleet (pages of OVH's largest size, at once) and are filtered here.
 *
 * `installing` in the list comes from what the console knows (its own installs still running in
 * the store, whichever replica started them, and installs this process has seen running),
 * re-checked with OVH only for the servers of the page it flags — not one status call per row. An
 * install started outside this console shows once its server page is opened. A server page's
 * install progress is kept for the TTL while settled (idle, done, failed, cancelled) and no
 * install is known to run there: an install submitted through this replica skips it at once, one
 * through another replica within a TTL, so does any change the progress route sees (the end of an
 * install), and one started outside the console shows within two TTLs.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import {
  SERVER_LIST_DEFAULTS,
  SERVER_SORT_FIELDS,
  type ServerListResponse,
  type ServerSortField,
  type SortOrder,
} from '@byoi/shared';
import { ApiError } from '../apiError.ts';
import { followInstall, type InstallWatch } from '../install/progress.ts';
import { OvhError } from '../ovh/errors.ts';
import { containsPattern, type PageFilter } from '../ovh/pagedRequest.ts';
import type { DedicatedServer, InstallationTemplate } from '../ovh/types.ts';
import { displayNameOf, serverDetailJson, toServerSummary } from '../servers/mapping.ts';
import { requireServer } from '../servers/requireServer.ts';
import { groupTemplates } from '../servers/templates.ts';

/**
 * The largest page the console serves: the UI asks 50; an API client may ask the whole of a
 * fleet of up to 1,000 servers in one page (one call to OVH, whose own pages go up to 5,000).
 */
export const MAX_PAGE_SIZE = 1000;

/** How many matches of a search's name and display-name halves are read at once. */
export const SEARCH_FETCH = 500;

/** The console's sort keys → the fields of OVH's `dedicated.server.DedicatedWithIAM`. */
const OVH_SORT_FIELD: Record<ServerSortField, string> = {
  name: 'name',
  displayName: 'iam.displayName',
  datacenter: 'datacenter',
  state: 'state',
  os: 'os',
};

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
  sort: z
    .enum(SERVER_SORT_FIELDS, { error: `sort must be one of ${SERVER_SORT_FIELDS.join(', ')}.` })
    .default(SERVER_LIST_DEFAULTS.sort),
  order: z
    .enum(['asc', 'desc'], { error: 'order must be asc or desc.' })
    .default(SERVER_LIST_DEFAULTS.order),
});

/** Which servers a request's user may see: their name patterns and the matcher built from them. */
export interface ServerScope {
  patterns: readonly string[];
  canSee: (serverName: string) => boolean;
}

export interface ServersDeps extends InstallWatch {
  /** The signed-in user's scope; servers outside it are left out as if they did not exist. */
  scope: (req: Request) => ServerScope;
}

/**
 * OVH's order for a sort key, how two of its sorted lists merge: strings by code point, missing
 * values last in either direction, ties by name ascending.
 */
function comparator(sort: ServerSortField, order: SortOrder) {
  const value = (server: DedicatedServer): string | null =>
    (sort === 'displayName' ? server.iam?.displayName : server[sort]) ?? null;
  const sign = order === 'desc' ? -1 : 1;
  return (a: DedicatedServer, b: DedicatedServer): number => {
    const va = value(a);
    const vb = value(b);
    if (va !== vb) {
      if (va === null) return 1;
      if (vb === null) return -1;
      return va < vb ? -sign : sign;
    }
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  };
}

/** The two lists merged in their common order, each server once. */
function mergeSorted(
  a: readonly DedicatedServer[],
  b: readonly DedicatedServer[],
  compare: (x: DedicatedServer, y: DedicatedServer) => number,
): DedicatedServer[] {
  const out: DedicatedServer[] = [];
  const seen = new Set<string>();
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    const next = x && (!y || compare(x, y) <= 0) ? (i++, x) : (j++, y as DedicatedServer);
    if (!seen.has(next.name)) {
      seen.add(next.name);
      out.push(next);
    }
  }
  return out;
}

/** A name pattern as OVH's `like`, when it can be one (`*` only: OVH's `like` knows no `?`). */
function scopeFilter(patterns: readonly string[]): PageFilter | null | 'unexpressible' {
  if (patterns.includes('*')) return null;
  const [only] = patterns;
  if (patterns.length !== 1 || only === undefined || only.includes('?') || only.includes('%')) {
    return 'unexpressible';
  }
  return { field: 'name', op: 'like', value: only.toLowerCase().replaceAll('*', '%') };
}

export function serversRouter({ scope, ...watch }: ServersDeps): Router {
  const router = Router();
  const { ovh, tracker, records } = watch;

  /** `recorded`: the page's servers with an install of the console's running (one store query). */
  async function installingNow(sn: string, recorded: Set<string>): Promise<boolean> {
    if (!tracker.isKnownRunning(sn) && !recorded.has(sn)) return false;
    return (await followInstall(watch, sn)).state === 'running';
  }

  /** A page of the fleet as OVH orders it, and the total: one call, or one round trip of calls. */
  async function fleetPage(
    user: ServerScope,
    query: z.output<typeof listQuery>,
  ): Promise<{ servers: DedicatedServer[]; total: number }> {
    const { page, pageSize, search, sort, order } = query;
    const ovhOrder = {
      sort: OVH_SORT_FIELD[sort],
      order: order === 'desc' ? ('DESC' as const) : ('ASC' as const),
    };
    const needle = search.trim();
    const limit = scopeFilter(user.patterns);
    const from = (page - 1) * pageSize;

    if (limit === 'unexpressible') {
      const lower = needle.toLowerCase();
      const all = (await ovh.firstServers(ovhOrder)).items.filter(
        (s) =>
          user.canSee(s.name) &&
          (lower === '' ||
            s.name.toLowerCase().includes(lower) ||
            displayNameOf(s).toLowerCase().includes(lower)),
      );
      return { servers: all.slice(from, from + pageSize), total: all.length };
    }
    const scoped = limit ? [limit] : [];
    if (needle === '') {
      const { items, total } = await ovh.listServerPage({
        ...ovhOrder,
        size: pageSize,
        number: page,
        ...(scoped.length ? { filters: scoped } : {}),
      });
      return { servers: items, total };
    }
    // Name or display name: both matches (at once) up to this page's end — a search usually finds
    // a few servers, so up to SEARCH_FETCH of each — merged in OVH's order.
    const like = containsPattern(needle);
    const byName: PageFilter = { field: 'name', op: 'like', value: like };
    const byDisplay: PageFilter = { field: 'iam.displayName', op: 'like', value: like };
    const count = Math.max(from + pageSize, SEARCH_FETCH);
    const [names, displays] = await Promise.all([
      ovh.firstServers({ ...ovhOrder, filters: [...scoped, byName] }, count),
      ovh.firstServers({ ...ovhOrder, filters: [...scoped, byDisplay] }, count),
    ]);
    const merged = mergeSorted(names.items, displays.items, comparator(sort, order));
    const complete = names.items.length === names.total && displays.items.length === displays.total;
    if (complete) return { servers: merged.slice(from, from + pageSize), total: merged.length };
    // Beyond what was read, the total needs the overlap of the two, which OVH counts.
    const both = await ovh.listServerPage({
      ...ovhOrder,
      size: 1,
      number: 1,
      filters: [...scoped, byName, byDisplay],
    });
    return {
      servers: merged.slice(from, from + pageSize),
      total: names.total + displays.total - both.total,
    };
  }

  router.get('/', async (req, res) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) {
      const fieldErrors: Record<string, string[]> = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path.join('.') || '_query';
        (fieldErrors[key] ??= []).push(
          issue.code === 'unrecognized_keys'
            ? `Unknown query parameter(s): ${issue.keys.join(', ')}. Use page, pageSize, search, sort and order.`
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
    const query = parsed.data;
    const { servers, total } = await fleetPage(scope(req), query);
    const recorded = await records.runningOn(servers.map((server) => server.name));
    const items = await Promise.all(
      servers.map(async (server) =>
        toServerSummary(server, await installingNow(server.name, recorded)),
      ),
    );
    const body: ServerListResponse = {
      items,
      total,
      page: query.page,
      pageSize: query.pageSize,
      search: query.search.trim(),
      sort: query.sort,
      order: query.order,
    };
    res.json(body);
  });

  router.get('/:sn', async (req, res) => {
    const sn = req.params.sn;
    const server = await requireServer(ovh, sn);
    // "Installing" is judged exactly as the progress route judges it (followInstall).
    const [hardware, install] = await Promise.all([
      ovh.getHardware(sn),
      followInstall(watch, sn, { cached: true }),
    ]);
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
