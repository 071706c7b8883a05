/**
 * Rollouts in the store: the rollout row (its plan, state and a version bumped by every change),
 * a row per server, and an event log for the timeline. Every change goes through `apply`: in one
 * transaction it locks the rollout row, rebuilds the scheduler's snapshot, lets the pure scheduler
 * (rollouts/scheduler.ts) decide, writes what changed, the events, and queues the webhook
 * notifications in the same transaction, so a change and its notification commit together.
 *
 * The driver of a rollout (rollouts/driver.ts) is whichever replica holds its lease
 * (`driver_owner`, `driver_until`), claimed with `FOR UPDATE SKIP LOCKED`; API requests on any
 * replica change the rollout through `apply` too, and the row lock orders them.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import {
  ROLLOUT_SERVER_STATES,
  type ConsoleRole,
  type InstallRoute,
  type RolloutCountsDto,
  type RolloutEventDto,
  type RolloutImageDto,
  type RolloutMatrixDto,
  type RolloutNotification,
  type RolloutPlan,
  type RolloutServerDto,
  type RolloutServerState,
  type RolloutSummaryDto,
} from '@byoi/shared';
import {
  decide,
  isTerminal,
  type RolloutAction,
  type RolloutDecision,
  type RolloutEvent,
  type RolloutServer,
  type RolloutSnapshot,
} from '../rollouts/scheduler.ts';
import type { Notifier } from '../webhooks/notifier.ts';
import type { Database, RolloutServerTable, RolloutTable } from './schema.ts';

export type RolloutRow = Selectable<RolloutTable>;
export type RolloutServerRow = Selectable<RolloutServerTable>;

export interface NewRollout {
  id: string;
  name: string;
  plan: RolloutPlan;
  /** The install form, sealed (or JSON without a secrets key). */
  form: string;
  image: RolloutImageDto;
  route: InstallRoute;
  user: { username: string; role: ConsoleRole } | null;
  servers: { name: string; displayName: string | null; datacenter: string | null }[];
  now: number;
}

/** What `apply` adds to the scheduler's event for the server rows. */
export interface ServerFacts {
  server: string;
  installId?: string;
  taskId?: number;
  profile?: string;
}

export interface ApplyOptions {
  /** Who asked (an API request), for the timeline. */
  user?: string | null;
  facts?: readonly ServerFacts[];
  /** Written with the preflight verdicts. */
  matrix?: RolloutMatrixDto;
  checkError?: string | null;
}

export interface Applied extends RolloutDecision {
  before: RolloutSnapshot;
  row: RolloutRow;
}

export interface RolloutsOptions {
  notifier?: Notifier;
}

/** The states in which a rollout has work for a driver, whatever its servers. */
const DRIVEN_STATES = new Set(['planned', 'checking', 'running', 'paused']);

export function emptyCounts(): RolloutCountsDto {
  const counts = { total: 0 } as RolloutCountsDto;
  for (const state of ROLLOUT_SERVER_STATES) counts[state] = 0;
  return counts;
}

function toSchedulerServer(row: RolloutServerRow): RolloutServer {
  const server: RolloutServer = { name: row.server, state: row.state, wave: row.wave };
  if (row.message !== null) server.message = row.message;
  if (row.started_at !== null) server.startedAt = row.started_at.getTime();
  if (row.ended_at !== null) server.endedAt = row.ended_at.getTime();
  if (row.cancel_requested) server.cancelRequested = true;
  return server;
}

export function snapshotOf(row: RolloutRow, servers: readonly RolloutServerRow[]): RolloutSnapshot {
  return { state: row.state, plan: row.plan, servers: servers.map(toSchedulerServer) };
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** A sentence for the timeline per event the scheduler applied, and per notification it sent. */
function timeline(
  event: RolloutEvent,
  before: RolloutSnapshot,
  after: RolloutSnapshot,
  actions: readonly RolloutAction[],
): { kind: string; server: string | null; message: string }[] {
  const lines: { kind: string; server: string | null; message: string }[] = [];
  const serverOf = (name: string) => after.servers.find((s) => s.name === name);
  switch (event.kind) {
    case 'check':
      lines.push({
        kind: 'checking',
        server: null,
        message: `Checking the image once and ${after.servers.length} servers against it.`,
      });
      break;
    case 'preflightDone': {
      const blocked = after.servers.filter((s) => s.state === 'blocked').length;
      lines.push({
        kind: 'checked',
        server: null,
        message: `Checked: ${after.servers.length - blocked} of ${after.servers.length} servers can take the image${blocked ? `, ${blocked} blocked` : ''}.`,
      });
      break;
    }
    case 'start':
      lines.push({ kind: 'started', server: null, message: 'The rollout was started.' });
      break;
    case 'installStarted':
      if (before.servers.find((s) => s.name === event.server)?.startedAt === undefined) {
        lines.push({
          kind: 'install-started',
          server: event.server,
          message: `OVH accepted the install of ${event.server}.`,
        });
      }
      break;
    case 'installEnded': {
      const server = serverOf(event.server);
      if (server && before.servers.find((s) => s.name === event.server)?.state === 'installing') {
        lines.push({
          kind: `install-${server.state}`,
          server: event.server,
          message:
            server.state === 'done'
              ? `${event.server} is installed.`
              : `${event.server} ${server.state === 'cancelled' ? 'was cancelled' : 'failed'}${server.message ? `: ${server.message}` : '.'}`,
        });
      }
      break;
    }
    case 'installRefused':
      lines.push({
        kind: 'install-refused',
        server: event.server,
        message: `The install of ${event.server} was refused: ${event.message}`,
      });
      break;
    case 'pause':
      lines.push({ kind: 'paused', server: null, message: 'The rollout was paused.' });
      break;
    case 'resume':
      lines.push({ kind: 'resumed', server: null, message: 'The rollout was resumed.' });
      break;
    case 'abort':
      lines.push({
        kind: 'aborted',
        server: null,
        message: event.cancelRunning
          ? 'The rollout was aborted; the installs running at OVH are being cancelled.'
          : 'The rollout was aborted; installs already running finish.',
      });
      break;
    case 'tick':
      break;
  }
  for (const action of actions) {
    if (action.kind === 'startInstall') {
      lines.push({
        kind: 'install-requested',
        server: action.server,
        message: `Submitting the install of ${action.server}.`,
      });
    } else if (action.kind === 'notify') {
      const sentence: Partial<Record<string, string>> = {
        'rollout.canary_passed': 'The canaries are installed.',
        'rollout.canary_failed': 'A canary failed: no further server is installed.',
        'rollout.failed': 'The rollout failed: no further server is installed.',
        'rollout.done': 'The rollout is done.',
      };
      const message = sentence[action.event];
      if (message) lines.push({ kind: action.event, server: null, message });
      if (action.event === 'rollout.paused' && event.kind !== 'pause') {
        lines.push({
          kind: 'paused',
          server: null,
          message: 'Paused after the canaries, as planned: resume to install the batches.',
        });
      }
    }
  }
  return lines;
}

function changed(a: RolloutServer, b: RolloutServer): boolean {
  return (
    a.state !== b.state ||
    a.wave !== b.wave ||
    a.message !== b.message ||
    a.startedAt !== b.startedAt ||
    a.endedAt !== b.endedAt ||
    a.cancelRequested !== b.cancelRequested
  );
}

/** What a transaction's applied events changed, gathered to be written once. */
interface Changes {
  /** Servers whose install was decided, with when: written as `claimed_at`. */
  claimed: Map<string, number>;
  facts: Map<string, ServerFacts>;
  lines: {
    at: Date;
    kind: string;
    server: string | null;
    message: string;
    username: string | null;
  }[];
  notifications: { event: RolloutNotification; snapshot: RolloutSnapshot; at: number }[];
  rollout: {
    startedAt?: number;
    endedAt?: number;
    matrix?: RolloutMatrixDto;
    checkError?: string | null;
  };
}

function collect(
  changes: Changes,
  before: RolloutSnapshot,
  decision: RolloutDecision,
  event: RolloutEvent,
  options: ApplyOptions,
): void {
  const after = decision.rollout;
  for (const fact of options.facts ?? []) {
    changes.facts.set(fact.server, { ...changes.facts.get(fact.server), ...fact });
  }
  for (const action of decision.actions) {
    if (action.kind === 'startInstall') changes.claimed.set(action.server, event.at);
    if (action.kind === 'notify') {
      changes.notifications.push({ event: action.event, snapshot: after, at: event.at });
    }
  }
  if (event.kind === 'start') changes.rollout.startedAt = event.at;
  if (isTerminal(after.state) && !isTerminal(before.state)) changes.rollout.endedAt = event.at;
  if (options.matrix !== undefined) changes.rollout.matrix = options.matrix;
  if (options.checkError !== undefined) changes.rollout.checkError = options.checkError;
  const at = new Date(event.at);
  for (const line of timeline(event, before, after, decision.actions)) {
    changes.lines.push({ at, ...line, username: options.user ?? null });
  }
}

export class Rollouts {
  readonly #db: Kysely<Database>;
  readonly #notifier: Notifier | undefined;

  constructor(db: Kysely<Database>, options: RolloutsOptions = {}) {
    this.#db = db;
    this.#notifier = options.notifier;
  }

  async create(rollout: NewRollout): Promise<void> {
    const at = new Date(rollout.now);
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('rollouts')
        .values({
          id: rollout.id,
          name: rollout.name,
          state: 'planned',
          plan: JSON.stringify(rollout.plan),
          form: rollout.form,
          image: JSON.stringify(rollout.image),
          install_route: rollout.route,
          created_by: rollout.user?.username ?? null,
          created_role: rollout.user?.role ?? null,
          created_at: at,
        })
        .execute();
      // In slices: one statement has at most 65,535 parameters.
      const rows = rollout.servers.map((server, position) => ({
        rollout_id: rollout.id,
        position,
        server: server.name,
        display_name: server.displayName,
        datacenter: server.datacenter,
      }));
      for (let i = 0; i < rows.length; i += 500) {
        await trx
          .insertInto('rollout_servers')
          .values(rows.slice(i, i + 500))
          .execute();
      }
      await trx
        .insertInto('rollout_events')
        .values({
          rollout_id: rollout.id,
          at,
          kind: 'created',
          server: null,
          message: `Planned for ${rollout.servers.length} server${rollout.servers.length === 1 ? '' : 's'}.`,
          username: rollout.user?.username ?? null,
        })
        .execute();
    });
  }

  async row(id: string, db: Kysely<Database> = this.#db): Promise<RolloutRow | undefined> {
    return db.selectFrom('rollouts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async servers(id: string, db: Kysely<Database> = this.#db): Promise<RolloutServerRow[]> {
    return db
      .selectFrom('rollout_servers')
      .selectAll()
      .where('rollout_id', '=', id)
      .orderBy('position')
      .execute();
  }

  /**
   * The servers of the rollout installing now: at most its maxInFlight, read every round, where
   * reading all of a 1,000-server rollout's rows each time would cost the round most of its time.
   */
  async installingServers(id: string): Promise<RolloutServerRow[]> {
    return this.#db
      .selectFrom('rollout_servers')
      .selectAll()
      .where('rollout_id', '=', id)
      .where('state', '=', 'installing')
      .orderBy('position')
      .execute();
  }

  /**
   * Applies one event under the rollout's row lock. Undefined when there is no such rollout; a
   * refused event (`error`) changes nothing.
   */
  async apply(
    id: string,
    event: RolloutEvent,
    options: ApplyOptions = {},
  ): Promise<Applied | undefined> {
    return (await this.applyAll(id, [{ event, options }]))?.[0];
  }

  /**
   * Applies events in order in one transaction, each to the snapshot the one before left, so that
   * a driver round's installs started or ended read the server rows once rather than once each.
   * One result per event, a refused one changing nothing; undefined when there is no such rollout.
   */
  async applyAll(
    id: string,
    events: readonly { event: RolloutEvent; options?: ApplyOptions }[],
  ): Promise<Applied[] | undefined> {
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('rollouts')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) return undefined;
      const first = snapshotOf(row, await this.servers(id, trx));
      let before = first;
      const decided: { decision: RolloutDecision; before: RolloutSnapshot }[] = [];
      const changes: Changes = {
        claimed: new Map(),
        facts: new Map(),
        lines: [],
        notifications: [],
        rollout: {},
      };
      for (const { event, options = {} } of events) {
        const decision = decide(before, event);
        decided.push({ decision, before });
        if (decision.error) continue;
        collect(changes, before, decision, event, options);
        before = decision.rollout;
      }
      if (before === first) return decided.map((d) => ({ ...d.decision, before: d.before, row }));
      const updated = await this.#write(trx, row, first, before, changes);
      return decided.map((d) => ({ ...d.decision, before: d.before, row: updated }));
    });
  }

  /** Everything the applied events changed, in one statement per table. */
  async #write(
    trx: Transaction<Database>,
    row: RolloutRow,
    first: RolloutSnapshot,
    last: RolloutSnapshot,
    changes: Changes,
  ): Promise<RolloutRow> {
    const patches = last.servers.flatMap((server, index) => {
      const old = first.servers[index];
      const fact = changes.facts.get(server.name);
      const claimed = changes.claimed.get(server.name);
      if (old && !changed(old, server) && !fact && claimed === undefined) return [];
      return [
        {
          server: server.name,
          state: server.state,
          wave: server.wave,
          message: server.message ?? null,
          started_at: server.startedAt === undefined ? null : iso(new Date(server.startedAt)),
          ended_at: server.endedAt === undefined ? null : iso(new Date(server.endedAt)),
          cancel_requested: server.cancelRequested === true,
          claimed_at: claimed === undefined ? null : iso(new Date(claimed)),
          install_id: fact?.installId ?? null,
          task_id: fact?.taskId ?? null,
          profile: fact?.profile ?? null,
        },
      ];
    });
    if (patches.length > 0) {
      // One statement for every changed server (a wave of 100 starts is one round trip).
      await sql`
        update rollout_servers as rs set
          state = v.state, wave = v.wave, message = v.message,
          started_at = v.started_at, ended_at = v.ended_at, cancel_requested = v.cancel_requested,
          claimed_at = coalesce(v.claimed_at, rs.claimed_at),
          install_id = coalesce(v.install_id, rs.install_id),
          task_id = coalesce(v.task_id, rs.task_id),
          profile = coalesce(v.profile, rs.profile)
        from jsonb_to_recordset(${JSON.stringify(patches)}::jsonb) as v(
          server text, state text, wave integer, message text, started_at timestamptz,
          ended_at timestamptz, cancel_requested boolean, claimed_at timestamptz,
          install_id text, task_id bigint, profile text)
        where rs.rollout_id = ${row.id} and rs.server = v.server`.execute(trx);
    }
    const { rollout } = changes;
    const installing = last.servers.some((s) => s.state === 'installing');
    const updated = await trx
      .updateTable('rollouts')
      .set((eb) => ({
        state: last.state,
        version: eb(eb.ref('version'), '+', 1),
        needs_driver: DRIVEN_STATES.has(last.state) || installing,
        ...(rollout.startedAt !== undefined ? { started_at: new Date(rollout.startedAt) } : {}),
        ...(rollout.endedAt !== undefined ? { ended_at: new Date(rollout.endedAt) } : {}),
        ...(rollout.matrix !== undefined ? { matrix: JSON.stringify(rollout.matrix) } : {}),
        ...(rollout.checkError !== undefined ? { check_error: rollout.checkError } : {}),
      }))
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (changes.lines.length > 0) {
      await trx
        .insertInto('rollout_events')
        .values(changes.lines.map((line) => ({ rollout_id: row.id, ...line })))
        .execute();
    }
    if (this.#notifier) {
      for (const { event, snapshot, at } of changes.notifications) {
        await this.#notifier.emit(trx, event, notificationData(updated, snapshot), at);
      }
    }
    return updated;
  }

  /** Writes what a check found without an event (e.g. that it could not run). */
  async setCheckError(id: string, message: string | null): Promise<void> {
    await this.#db
      .updateTable('rollouts')
      .set((eb) => ({ check_error: message, version: eb(eb.ref('version'), '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  /**
   * Takes up to `limit` rollouts with work for a driver whose lease is free, expired, or already
   * this owner's (a renewal), without waiting for rows another replica is claiming right now.
   */
  async claim(owner: string, now: number, leaseMs: number, limit: number): Promise<string[]> {
    return this.#db.transaction().execute(async (trx) => {
      const free = await trx
        .selectFrom('rollouts')
        .select('id')
        .where('needs_driver', '=', true)
        .where((eb) =>
          eb.or([
            eb('driver_until', 'is', null),
            eb('driver_until', '<', new Date(now)),
            eb('driver_owner', '=', owner),
          ]),
        )
        .orderBy('created_at')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      if (free.length === 0) return [];
      const ids = free.map((r) => r.id);
      await trx
        .updateTable('rollouts')
        .set({ driver_owner: owner, driver_until: new Date(now + leaseMs) })
        .where('id', 'in', ids)
        .execute();
      return ids;
    });
  }

  /** Gives the lease back (a stopping replica), so another takes over at once. */
  async release(owner: string): Promise<void> {
    await this.#db
      .updateTable('rollouts')
      .set({ driver_owner: null, driver_until: null })
      .where('driver_owner', '=', owner)
      .execute();
  }

  /** The servers installing in this rollout whose install record has ended, with its outcome. */
  async endedInstalls(
    id: string,
  ): Promise<
    { server: string; state: 'done' | 'failed' | 'cancelled' | 'unknown'; message: string | null }[]
  > {
    const rows = await this.#db
      .selectFrom('rollout_servers as rs')
      .innerJoin('installs as i', 'i.id', 'rs.install_id')
      .select(['rs.server', 'i.state', 'i.message'])
      .where('rs.rollout_id', '=', id)
      .where('rs.state', '=', 'installing')
      .where('i.state', '!=', 'running')
      .execute();
    return rows.flatMap((r) =>
      r.state === 'running' ? [] : [{ server: r.server, state: r.state, message: r.message }],
    );
  }

  async list(
    limit: number,
    cursor: { createdAt: Date; id: string } | null,
  ): Promise<{ rows: RolloutRow[]; counts: Map<string, RolloutCountsDto> }> {
    let query = this.#db
      .selectFrom('rollouts')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    if (cursor) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', cursor.createdAt),
          eb.and([eb('created_at', '=', cursor.createdAt), eb('id', '<', cursor.id)]),
        ]),
      );
    }
    const rows = await query.execute();
    const counts = new Map<string, RolloutCountsDto>();
    if (rows.length > 0) {
      const grouped = await this.#db
        .selectFrom('rollout_servers')
        .select(['rollout_id', 'state'])
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where(
          'rollout_id',
          'in',
          rows.map((r) => r.id),
        )
        .groupBy(['rollout_id', 'state'])
        .execute();
      for (const g of grouped) {
        const c = counts.get(g.rollout_id) ?? emptyCounts();
        c[g.state] += Number(g.n);
        c.total += Number(g.n);
        counts.set(g.rollout_id, c);
      }
    }
    return { rows, counts };
  }

  async events(id: string, limit: number): Promise<RolloutEventDto[]> {
    const rows = await this.#db
      .selectFrom('rollout_events')
      .selectAll()
      .where('rollout_id', '=', id)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse().map((r) => ({
      seq: r.seq,
      at: r.at.toISOString(),
      kind: r.kind,
      server: r.server,
      message: r.message,
      user: r.username,
    }));
  }
}

function notificationData(row: RolloutRow, after: RolloutSnapshot) {
  const counts = countsOf(after.servers.map((s) => s.state));
  return {
    rollout: { id: row.id, name: row.name, state: after.state },
    counts: { ...counts },
  };
}

export function countsOf(states: readonly RolloutServerState[]): RolloutCountsDto {
  const counts = emptyCounts();
  for (const state of states) {
    counts[state] += 1;
    counts.total += 1;
  }
  return counts;
}

/**
 * Seconds until the last install should end: the mean install time seen so far, times the waves
 * of `parallel` installs still to run, less what the running ones have already spent.
 */
export function etaSeconds(
  servers: readonly Pick<RolloutServerRow, 'state' | 'started_at' | 'ended_at'>[],
  plan: RolloutPlan,
  now: number,
): number | null {
  const durations = servers.flatMap((s) =>
    s.state === 'done' && s.started_at && s.ended_at
      ? [s.ended_at.getTime() - s.started_at.getTime()]
      : [],
  );
  const pending = servers.filter((s) => s.state === 'pending').length;
  const running = servers.filter((s) => s.state === 'installing');
  if (pending === 0 && running.length === 0) return 0;
  if (durations.length === 0) return null;
  const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
  const parallel = Math.max(1, Math.min(plan.maxInFlight, plan.batchSize));
  const spent = running.map((s) => (s.started_at ? now - s.started_at.getTime() : 0));
  const current = running.length ? Math.max(0, mean - Math.min(...spent)) : 0;
  return Math.round((current + Math.ceil(pending / parallel) * mean) / 1000);
}

export function toServerDto(row: RolloutServerRow): RolloutServerDto {
  return {
    name: row.server,
    displayName: row.display_name,
    datacenter: row.datacenter,
    state: row.state,
    wave: row.wave,
    profile: row.profile,
    message: row.message,
    taskId: row.task_id,
    installId: row.install_id,
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
  };
}

export function toSummaryDto(
  row: RolloutRow,
  counts: RolloutCountsDto,
  eta: number | null,
): RolloutSummaryDto {
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    plan: row.plan,
    counts,
    image: row.image,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
    etaSeconds: eta,
  };
}
