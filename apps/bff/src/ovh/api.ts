/**
 * `OvhApi`: the typed OVH calls this app makes, with the upstream-efficiency rules in one place —
 * bounded concurrency (FIFO, so the first page's calls go out before later pages'), coalescing of
 * identical in-flight GETs, retries for GETs only, and a short TTL cache of the fleet's names and
 * of each server's detail, hardware and settled install state, which an install submission, a
 * cancel or an install's end invalidates. For one more TTL after it expires, an entry is answered
 * while it is refreshed in the background (stale-while-revalidate): a page in use never waits on
 * OVH, and nothing is older than two TTLs.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { InstallRoute } from '@byoi/shared';
import { Coalescer } from './coalesce.ts';
import { normaliseOvhError, OvhError } from './errors.ts';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from './retry.ts';
import { MAX_PAGE_SIZE, type OvhPageTransport, type Page, type PageQuery } from './pagedRequest.ts';
import type { OvhMethod, OvhTransport } from './transport.ts';
import { TtlCache } from './ttlCache.ts';
import type {
  DedicatedServer,
  HardwareSpecifications,
  InstallationProgressStatus,
  InstallationTemplate,
  InstallTemplate,
  ServerTask,
} from './types.ts';

export interface OvhApiOptions {
  transport: OvhTransport;
  /**
   * OVH's expanded list pages (`X-Pagination-*`), which node-ovh cannot ask for (pagedRequest.ts);
   * unit tests of other rules may leave it out.
   */
  pages?: OvhPageTransport;
  concurrency: number;
  cacheTtlMs: number;
  retry?: RetryPolicy;
  now?: () => number;
}

export interface TaskFilter {
  function?: string;
  status?: string;
}

const server = (sn: string) => `/dedicated/server/${encodeURIComponent(sn)}`;

/** The upstream paths for each install route, as in packages/shared's `buildInstallPayload`. */
export const INSTALL_PATHS: Record<InstallRoute, '/install/start' | '/reinstall'> = {
  'install-start': '/install/start',
  reinstall: '/reinstall',
};

export class OvhApi {
  readonly #transport: OvhTransport;
  readonly #pages: OvhPageTransport;
  readonly #limit: LimitFunction;
  readonly #coalescer = new Coalescer();
  readonly #cache: TtlCache<unknown>;
  readonly #retry: RetryPolicy;
  /** Bumped by `invalidateServer`: a read that began before the bump is not cached after it. */
  readonly #generations = new Map<string, number>();

  constructor(options: OvhApiOptions) {
    this.#transport = options.transport;
    this.#pages =
      options.pages ??
      (() => Promise.reject(new Error('This OvhApi was built without a page transport.')));
    this.#limit = pLimit(options.concurrency);
    this.#cache = new TtlCache(options.cacheTtlMs, options.now, options.cacheTtlMs);
    this.#retry = options.retry ?? DEFAULT_RETRY;
  }

  /**
   * One page of the fleet as OVH answers it: full server objects, searched and sorted by OVH, and
   * the total for the pager. Cached like details, so a server added at OVH shows within the TTL.
   */
  listServerPage(query: PageQuery): Promise<Page<DedicatedServer>> {
    return this.#cached(`fleet:page:${JSON.stringify(query)}`, () =>
      this.#page<DedicatedServer>('/dedicated/server', query, 'GET /dedicated/server'),
    );
  }

  /**
   * The first `count` servers of a query's order (all of them when `count` is the total): pages of
   * OVH's largest size, every page after the first asked at once.
   */
  async firstServers(
    query: Omit<PageQuery, 'size' | 'number'>,
    count = Number.POSITIVE_INFINITY,
  ): Promise<Page<DedicatedServer>> {
    const size = Math.min(MAX_PAGE_SIZE, Math.max(1, count));
    const first = await this.listServerPage({ ...query, size, number: 1 });
    const wanted = Math.min(count, first.total);
    const pages = Math.ceil(wanted / size);
    const rest = await Promise.all(
      Array.from({ length: Math.max(0, pages - 1) }, (_, i) =>
        this.listServerPage({ ...query, size, number: i + 2 }),
      ),
    );
    const items = [first, ...rest].flatMap((page) => page.items).slice(0, wanted);
    return { items, total: first.total };
  }

  getServer(sn: string): Promise<DedicatedServer> {
    return this.#cached(
      `server:${sn}:detail`,
      () => this.#get<DedicatedServer>(server(sn), 'GET /dedicated/server/*'),
      sn,
    );
  }

  getHardware(sn: string): Promise<HardwareSpecifications> {
    return this.#cached(
      `server:${sn}:hardware`,
      () =>
        this.#get<HardwareSpecifications>(
          `${server(sn)}/specifications/hardware`,
          'GET /dedicated/server/*/specifications/hardware',
        ),
      sn,
    );
  }

  /**
   * A fact about one server derived from several calls (e.g. its install progress), shared by
   * concurrent readers and kept for the TTL when `keep` says it is settled. Dropped with the
   * server's other entries by `invalidateServer`.
   */
  remember<T>(
    sn: string,
    fact: string,
    load: () => Promise<T>,
    keep: (value: T) => boolean,
  ): Promise<T> {
    return this.#cached(`server:${sn}:${fact}`, load, sn, keep);
  }

  getCompatibleTemplates(sn: string): Promise<InstallTemplate> {
    return this.#get(
      `${server(sn)}/install/compatibleTemplates`,
      'GET /dedicated/server/*/install/compatibleTemplates',
    );
  }

  /** Templates change rarely; cached with the same TTL as server details. */
  getTemplate(templateName: string): Promise<InstallationTemplate> {
    return this.#cached(`template:${templateName}`, () =>
      this.#get<InstallationTemplate>(
        `/dedicated/installationTemplate/${encodeURIComponent(templateName)}`,
        'GET /dedicated/installationTemplate/*',
      ),
    );
  }

  /** Never retried: a second POST could start a second install. */
  async startInstall(route: InstallRoute, sn: string, body: object): Promise<ServerTask> {
    const suffix = INSTALL_PATHS[route];
    try {
      return (await this.#call(
        'POST',
        `${server(sn)}${suffix}`,
        `POST /dedicated/server/*${suffix}`,
        body,
      )) as ServerTask;
    } finally {
      // Even a failed submit may have changed the server (e.g. a timeout after OVH accepted it).
      this.invalidateServer(sn);
    }
  }

  /** `null` when no installation runs (OVH answers 404). */
  async getInstallStatus(sn: string): Promise<InstallationProgressStatus | null> {
    try {
      return await this.#get<InstallationProgressStatus>(
        `${server(sn)}/install/status`,
        'GET /dedicated/server/*/install/status',
      );
    } catch (error) {
      if (error instanceof OvhError && error.status === 404) return null;
      throw error;
    }
  }

  listTasks(sn: string, filter: TaskFilter = {}): Promise<number[]> {
    return this.#get(`${server(sn)}/task`, 'GET /dedicated/server/*/task', { ...filter });
  }

  getTask(sn: string, taskId: number): Promise<ServerTask> {
    return this.#get(`${server(sn)}/task/${taskId}`, 'GET /dedicated/server/*/task/*');
  }

  async cancelTask(sn: string, taskId: number): Promise<void> {
    try {
      await this.#call(
        'POST',
        `${server(sn)}/task/${taskId}/cancel`,
        'POST /dedicated/server/*/task/*/cancel',
      );
    } finally {
      this.invalidateServer(sn);
    }
  }

  /** OVH's clock (seconds since the epoch); needs no credentials. */
  getTime(): Promise<number> {
    return this.#get('/auth/time', 'GET /auth/time');
  }

  invalidateServer(sn: string): void {
    this.#generations.set(sn, this.#generation(sn) + 1);
    this.#cache.deletePrefix(`server:${sn}:`);
    // List pages show the server's OS and state too.
    this.#cache.deletePrefix('fleet:page:');
  }

  #generation(sn: string | undefined): number {
    return sn === undefined ? 0 : (this.#generations.get(sn) ?? 0);
  }

  /**
   * A fresh hit; a stale hit, answered while one background load refreshes it; or one shared
   * load per key and generation: a burst of identical reads makes one upstream round, and a read
   * that started before an invalidation is neither joined nor cached after it.
   */
  #cached<T>(
    key: string,
    load: () => Promise<T>,
    sn?: string,
    keep: (value: T) => boolean = () => true,
  ): Promise<T> {
    const hit = this.#cache.lookup(key);
    if (hit?.fresh) return Promise.resolve(hit.value as T);
    const generation = this.#generation(sn);
    const loading = this.#coalescer.run(`${key}#${generation}`, async () => {
      const value = await load();
      if (keep(value) && this.#generation(sn) === generation) this.#cache.set(key, value);
      return value;
    });
    if (!hit) return loading;
    // The stale value answers now; a failed refresh leaves it until its stale window ends.
    loading.catch(() => undefined);
    return Promise.resolve(hit.value as T);
  }

  /** A list page: retried like any read, bounded by the same concurrency, errors normalised. */
  #page<T>(path: string, query: PageQuery, rule: string): Promise<Page<T>> {
    return withRetry(async () => {
      try {
        return (await this.#limit(() => this.#pages(path, query))) as Page<T>;
      } catch (raw) {
        const error = normaliseOvhError(raw);
        error.rule ??= rule;
        throw error;
      }
    }, this.#retry);
  }

  #get<T>(path: string, rule: string, query?: Record<string, unknown>): Promise<T> {
    const key = query ? `${path}?${new URLSearchParams(sortedEntries(query)).toString()}` : path;
    return this.#coalescer.run(key, () =>
      withRetry(() => this.#call('GET', path, rule, query), this.#retry),
    ) as Promise<T>;
  }

  async #call(method: OvhMethod, path: string, rule: string, params?: object): Promise<unknown> {
    try {
      return await this.#limit(() => this.#transport(method, path, params));
    } catch (raw) {
      const error = normaliseOvhError(raw);
      error.rule ??= rule;
      throw error;
    }
  }
}

function sortedEntries(query: Record<string, unknown>): [string, string][] {
  return Object.entries(query)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]): [string, string] => [k, String(v)])
    .sort(([a], [b]) => a.localeCompare(b));
}
