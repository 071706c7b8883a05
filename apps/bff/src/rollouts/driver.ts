/**
 * The rollout driver: every `tickMs`, each replica claims the rollouts with work that no other
 * replica holds (a lease, taken with `FOR UPDATE SKIP LOCKED`, renewed every round) and moves them
 * on: it runs the check of a planned rollout (the image probed once, every server judged), feeds
 * the scheduler the ends of installs (from the install records the outcome watch settles), and
 * carries out what the scheduler decides: installs through the same submit as a single install
 * (its lock, its running check, its record), cancels, and notifications (queued by the store in
 * the transaction of the decision).
 *
 * At most once per server: the decision to start an install is committed (server `installing`,
 * `claimed_at`) before OVH is asked. A replica killed after that leaves a server installing
 * without `started_at`; once the lease has passed to another replica, it asks OVH whether an
 * install began on that server since the claim: if so it adopts that install, otherwise OVH never
 * got the request and it is submitted now. Nothing else ever submits a second time.
 */
import pLimit from 'p-limit';
import type { ByoiForm, PreflightCheck, PreflightRequest } from '@byoi/shared';
import { ApiError } from '../apiError.ts';
import { cancelRunningInstall, submitInstall, type SubmitDeps } from '../install/submitInstall.ts';
import { latestInstallTask } from '../install/progress.ts';
import { installFacts, libraryImageOf } from '../install/submittedFacts.ts';
import type { Logger } from '../logger.ts';
import { OvhError } from '../ovh/errors.ts';
import { redactMessage } from '../redact.ts';
import type { HeaderSecrets } from '../secrets/headerSecrets.ts';
import { toHardwareDto } from '../servers/mapping.ts';
import type { ImageLibrary } from '../store/imageLibrary.ts';
import type {
  ApplyOptions,
  RolloutRow,
  RolloutServerRow,
  Rollouts,
  ServerFacts,
} from '../store/rollouts.ts';
import { apiErrorFromOvh } from '../upstreamError.ts';
import { openForm } from './formVault.ts';
import { judgeFleet, type ProbedImage } from './matrix.ts';
import { isTerminal, type RolloutEvent } from './scheduler.ts';

export const DEFAULT_ROLLOUT_TICK_MS = 2_000;
/** Longer than a round takes; a killed driver's rollouts pass to another replica after this. */
export const DEFAULT_ROLLOUT_LEASE_MS = 30_000;
/** Hardware reads at once during a check. */
const CHECK_CONCURRENCY = 16;
/**
 * Install submits at once per replica (one OVH call each; OVH_CONCURRENCY bounds the calls): a
 * wave of up to 200 takes its locks and writes its records in one statement each.
 */
const SUBMIT_CONCURRENCY = 200;
/** How far OVH's task start may precede the claim and still be this rollout's install. */
const CLOCK_SKEW_MS = 5_000;

export interface FleetProbe {
  image: ProbedImage;
  checks: PreflightCheck[];
  /** The checksum a checksum file gave, installed with the image. */
  resolvedChecksum?: { checksum: string; type: NonNullable<ByoiForm['imageCheckSumType']> };
}

export interface DriverDeps {
  rollouts: Rollouts;
  submit: SubmitDeps;
  secrets: HeaderSecrets;
  library: Pick<ImageLibrary, 'withStoredHeaders'>;
  probe: (input: PreflightRequest, signal: AbortSignal) => Promise<FleetProbe>;
  owner: string;
  logger: Pick<Logger, 'warn' | 'info' | 'error'>;
  tickMs?: number;
  leaseMs?: number;
  now?: () => number;
}

const errorFields = (error: unknown) =>
  error instanceof Error ? { err: { name: error.name, message: error.message } } : {};

/** The install record's id for a rollout's server: the same on every replica and every retry. */
export function rolloutInstallId(rolloutId: string, server: string): string {
  return `rollout:${rolloutId}:${server}`;
}

/** An OVH answer that says the install was not started (as opposed to "no answer"). */
function refusal(error: unknown): string | null {
  if (error instanceof ApiError) return error.status < 500 ? error.message : null;
  if (
    error instanceof OvhError &&
    error.kind === 'http' &&
    error.status >= 400 &&
    error.status < 500
  ) {
    return apiErrorFromOvh(error).message;
  }
  return null;
}

export class RolloutDriver {
  readonly #deps: Required<Omit<DriverDeps, 'now'>> & { now: () => number };
  readonly #submitLimit = pLimit(SUBMIT_CONCURRENCY);
  /** `rollout\nserver` pairs this process is submitting now. */
  readonly #submitting = new Set<string>();
  /** `rollout\nserver` pairs whose install this process has asked OVH to cancel. */
  readonly #cancelled = new Set<string>();
  /** Rollouts whose check this process is running now. */
  readonly #checking = new Set<string>();
  /** Rollouts being stepped now (a round that overruns does not step them twice). */
  readonly #stepping = new Set<string>();
  readonly #forms = new Map<string, Promise<ByoiForm>>();
  /** Per rollout, the accepted installs waiting for the write in progress to end (see #applyStarted). */
  readonly #started = new Map<
    string,
    { server: string; fact: ServerFacts; resolve: () => void; reject: (error: unknown) => void }[]
  >();
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  /** Settles when the current round ends. */
  #round: Promise<void> = Promise.resolve();

  constructor(deps: DriverDeps) {
    this.#deps = {
      tickMs: DEFAULT_ROLLOUT_TICK_MS,
      leaseMs: DEFAULT_ROLLOUT_LEASE_MS,
      ...deps,
      now: deps.now ?? Date.now,
    };
  }

  start(): void {
    this.#schedule(0);
  }

  /** Stops the rounds; a lease held is given back, so another replica takes over at once. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#round.catch(() => undefined);
    await this.#deps.rollouts.release(this.#deps.owner).catch(() => undefined);
  }

  /** Asks for a round soon (an API change), instead of at the next tick. */
  nudge(): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#schedule(0);
  }

  /** One round: claims what it may and steps each claimed rollout. */
  async round(): Promise<void> {
    if (this.#closed) return;
    const { rollouts, owner, leaseMs } = this.#deps;
    const ids = await rollouts.claim(owner, this.#deps.now(), leaseMs, 20);
    await Promise.all(ids.map((id) => this.#stepOnce(id)));
  }

  async #stepOnce(id: string): Promise<void> {
    if (this.#stepping.has(id)) return;
    this.#stepping.add(id);
    try {
      await this.step(id);
    } catch (error) {
      this.#deps.logger.warn(
        { rollout: id, ...errorFields(error) },
        'a rollout round failed; trying again at the next one',
      );
    } finally {
      this.#stepping.delete(id);
    }
  }

  /** Everything there is to do for one rollout now. */
  async step(id: string): Promise<void> {
    const { rollouts } = this.#deps;
    let row = await rollouts.row(id);
    if (!row) return;
    if (row.state === 'planned') {
      const applied = await this.#apply(id, { kind: 'check', at: this.#deps.now() });
      if (applied?.row) row = applied.row;
    }
    if (row.state === 'checking') {
      if (!this.#checking.has(id)) void this.#check(row);
      return;
    }
    const ended = await rollouts.endedInstalls(id);
    if (ended.length > 0) {
      await this.#applyAll(
        id,
        ended.map((install) => ({
          event: {
            kind: 'installEnded',
            at: this.#deps.now(),
            server: install.server,
            outcome: install.state === 'unknown' ? 'failed' : install.state,
            ...(install.state === 'unknown'
              ? {
                  message:
                    'OVH no longer knows this install, so how it ended is unknown: check the server.',
                }
              : install.message !== null
                ? { message: install.message }
                : {}),
          },
        })),
      );
    }
    // What the store says is owed, whoever decided it (this driver, an API request on any replica,
    // a driver that stopped): installs claimed but not known to have begun, cancels asked for.
    const current = (await rollouts.row(id)) ?? row;
    const installing = await rollouts.installingServers(id);
    if (isTerminal(current.state) && installing.length === 0) {
      // Nothing more to do here, ever: what this process kept about the rollout goes.
      this.#forms.delete(id);
      for (const key of this.#cancelled) {
        if (key.startsWith(`${id}\n`)) this.#cancelled.delete(key);
      }
    }
    for (const server of installing) {
      const key = `${id}\n${server.server}`;
      if (server.started_at === null) {
        if (!this.#submitting.has(key))
          void this.#submitLimit(() => this.#reconcile(current, server));
      } else if (server.cancel_requested && !this.#cancelled.has(key)) {
        this.#cancelled.add(key);
        void this.#cancel(current, server.server);
      }
    }
    await this.#apply(id, { kind: 'tick', at: this.#deps.now() });
  }

  async #apply(id: string, event: RolloutEvent, options: ApplyOptions = {}) {
    return (await this.#applyAll(id, [{ event, options }]))[0];
  }

  /** Applies events in one transaction and carries out what each decided; undefined for a refused one. */
  async #applyAll(id: string, events: readonly { event: RolloutEvent; options?: ApplyOptions }[]) {
    const results = (await this.#deps.rollouts.applyAll(id, events)) ?? [];
    return results.map((applied, i) => {
      const event = events[i]?.event;
      if (applied.error) {
        if (event?.kind !== 'tick') {
          this.#deps.logger.warn(
            { rollout: id, event: event?.kind, code: applied.error.code },
            applied.error.message,
          );
        }
        return undefined;
      }
      this.#carryOut(applied.row, applied.actions);
      return applied;
    });
  }

  /**
   * An install OVH accepted, written with the others that arrive while a write runs: a wave's
   * submits end within moments of each other, and one transaction each would read every server
   * row of the rollout once per server.
   */
  #applyStarted(id: string, server: string, fact: ServerFacts): Promise<void> {
    return new Promise((resolve, reject) => {
      const item = { server, fact, resolve, reject };
      const queue = this.#started.get(id);
      if (queue) {
        queue.push(item);
        return;
      }
      this.#started.set(id, [item]);
      void this.#writeStarted(id);
    });
  }

  async #writeStarted(id: string): Promise<void> {
    for (;;) {
      // Submits answered in the same turn join this write.
      await new Promise((resolve) => setImmediate(resolve));
      const items = this.#started.get(id) ?? [];
      if (items.length === 0) {
        this.#started.delete(id);
        return;
      }
      // Those answered while this write runs wait for the next one.
      this.#started.set(id, []);
      try {
        await this.#applyAll(
          id,
          items.map(({ server, fact }) => ({
            event: { kind: 'installStarted', at: this.#deps.now(), server },
            options: { facts: [fact] },
          })),
        );
        for (const item of items) item.resolve();
      } catch (error) {
        for (const item of items) item.reject(error);
      }
    }
  }

  #carryOut(row: RolloutRow, actions: readonly { kind: string; server?: string }[]): void {
    for (const action of actions) {
      if (action.kind === 'startInstall' && action.server !== undefined) {
        const server = action.server;
        const key = `${row.id}\n${server}`;
        this.#submitting.add(key);
        void this.#submitLimit(() => this.#submit(row, server)).finally(() =>
          this.#submitting.delete(key),
        );
      }
      // Cancels are carried out from the store's `cancel_requested` (see `step`), whoever aborted.
    }
  }

  /**
   * The form every server of the rollout gets: opened, the library's stored headers added, and
   * the checksum a checksum file gave at the check when the form had none.
   */
  async #form(row: RolloutRow): Promise<ByoiForm> {
    let form = this.#forms.get(row.id);
    if (!form) {
      const resolved = row.matrix?.resolvedChecksum ?? null;
      form = openForm(this.#deps.secrets, row.id, row.form)
        .then((f) => this.#deps.library.withStoredHeaders(f))
        .then((f) =>
          resolved !== null && f.imageCheckSum === undefined
            ? { ...f, imageCheckSum: resolved.checksum, imageCheckSumType: resolved.type }
            : f,
        );
      form.catch(() => this.#forms.delete(row.id));
      this.#forms.set(row.id, form);
    }
    return form;
  }

  async #submit(row: RolloutRow, server: string): Promise<void> {
    const at = () => this.#deps.now();
    let form: ByoiForm;
    try {
      form = await this.#form(row);
    } catch (error) {
      const message =
        error instanceof ApiError
          ? error.message
          : "The rollout's install form could not be read back from the store.";
      await this.#apply(row.id, { kind: 'installRefused', at: at(), server, message });
      return;
    }
    const installId = rolloutInstallId(row.id, server);
    try {
      const task = await submitInstall(this.#deps.submit, {
        server,
        route: row.install_route,
        form,
        id: installId,
        user:
          row.created_by !== null && row.created_role !== null
            ? { username: row.created_by, role: row.created_role }
            : null,
        // The check read every server just before; OVH refuses a missing server or a second
        // install itself, and its refusal fails the server like any other.
        precheck: false,
      });
      await this.#applyStarted(row.id, server, { server, installId, taskId: task.taskId });
    } catch (error) {
      const refused = refusal(error);
      if (refused !== null) {
        await this.#apply(row.id, {
          kind: 'installRefused',
          at: at(),
          server,
          message: redactMessage(refused),
        });
        return;
      }
      // No answer, or OVH failing: the install may or may not have begun. The server stays
      // claimed; the next rounds ask OVH (see #reconcile) rather than submit blindly again.
      this.#deps.logger.warn(
        { rollout: row.id, server, ...errorFields(error) },
        'an install submit got no clear answer; OVH will be asked whether it began',
      );
    }
  }

  /** A server claimed without a known start, and no submit of it running here. */
  async #reconcile(row: RolloutRow, server: RolloutServerRow): Promise<void> {
    const key = `${row.id}\n${server.server}`;
    if (this.#submitting.has(key) || server.claimed_at === null) return;
    this.#submitting.add(key);
    try {
      const task = await latestInstallTask(this.#deps.submit.ovh, server.server);
      // This rollout's install began after the claim (give or take the clocks' skew) and had not
      // ended before it: an install that ended before the claim is an earlier one.
      const claimed = server.claimed_at.getTime();
      const ours =
        task !== null &&
        Date.parse(task.startDate) >= claimed - CLOCK_SKEW_MS &&
        (task.doneDate === null || Date.parse(task.doneDate) >= claimed);
      if (task && ours) {
        const installId = rolloutInstallId(row.id, server.server);
        const form = await this.#form(row);
        await this.#deps.submit.records
          .recordSubmitted({
            id: installId,
            server: server.server,
            taskId: task.taskId,
            user: row.created_by,
            role: row.created_role,
            route: row.install_route,
            submittedAt: new Date(Date.parse(task.startDate)),
            facts: installFacts(row.install_route, form, task),
            libraryImage: libraryImageOf(form),
          })
          // Already recorded by the submit that got OVH's answer: the record is the same.
          .catch(() => undefined);
        this.#deps.logger.info(
          { rollout: row.id, server: server.server, taskId: task.taskId },
          'adopted an install a stopped driver had submitted',
        );
        await this.#apply(
          row.id,
          { kind: 'installStarted', at: this.#deps.now(), server: server.server },
          { facts: [{ server: server.server, installId, taskId: task.taskId }] },
        );
        return;
      }
      if (server.cancel_requested || (row.state !== 'running' && row.state !== 'paused')) {
        // The rollout stopped before this install was sent: it is not sent now.
        await this.#apply(row.id, {
          kind: 'installEnded',
          at: this.#deps.now(),
          server: server.server,
          outcome: 'cancelled',
          message: `Not installed: the rollout was ${row.state} before the install was sent to OVH.`,
        });
        return;
      }
      // OVH began nothing since the claim: the request never reached it. Submitting now is the
      // first install of this server by this rollout. The server's install lock may still be held
      // by the stopped driver's submit (until its lease lapses): that is no refusal, so the
      // server stays claimed and the next rounds ask again, rather than fail it uninstalled.
      const lock = await this.#deps.submit.locks.acquire(server.server);
      if (!lock) return;
      await this.#deps.submit.locks.release(lock);
      await this.#submit(row, server.server);
    } catch (error) {
      this.#deps.logger.warn(
        { rollout: row.id, server: server.server, ...errorFields(error) },
        'could not find out whether an install began; asking again at the next round',
      );
    } finally {
      this.#submitting.delete(key);
    }
  }

  async #cancel(row: RolloutRow, server: string): Promise<void> {
    try {
      await cancelRunningInstall(this.#deps.submit, server);
    } catch (error) {
      // Nothing running any more (it ended meanwhile): its end arrives as usual.
      this.#deps.logger.warn(
        { rollout: row.id, server, ...errorFields(error) },
        'could not cancel an install of an aborted rollout',
      );
    }
  }

  /** The image probed once, every server's hardware read and judged; the verdicts applied. */
  async #check(row: RolloutRow): Promise<void> {
    this.#checking.add(row.id);
    const { rollouts, submit } = this.#deps;
    try {
      const form = await this.#form(row);
      const input: PreflightRequest = { imageURL: form.imageURL, imageType: form.imageType };
      if (form.imageCheckSum !== undefined) input.imageCheckSum = form.imageCheckSum;
      if (form.imageCheckSumType !== undefined) input.imageCheckSumType = form.imageCheckSumType;
      if (form.efiBootloaderPath !== undefined) input.efiBootloaderPath = form.efiBootloaderPath;
      if (form.httpHeaders.length > 0) input.httpHeaders = form.httpHeaders;
      if (row.image.checksumFileURL !== null) input.checksumFileURL = row.image.checksumFileURL;
      const servers = await rollouts.servers(row.id);
      const limit = pLimit(CHECK_CONCURRENCY);
      const [probe, hardware] = await Promise.all([
        this.#deps.probe(input, this.#abort.signal),
        Promise.all(
          servers.map((s) =>
            limit(async () => ({
              name: s.server,
              hardware: toHardwareDto(await submit.ovh.getHardware(s.server)),
            })),
          ),
        ),
      ]);
      const matrix = judgeFleet(probe.image, hardware);
      const profileOf = new Map<string, string>();
      for (const profile of matrix.profiles) {
        for (const name of profile.servers) profileOf.set(name, profile.key);
      }
      await this.#apply(
        row.id,
        { kind: 'preflightDone', at: this.#deps.now(), verdicts: matrix.verdicts },
        {
          matrix: {
            checkedAt: new Date(this.#deps.now()).toISOString(),
            resolvedChecksum: probe.resolvedChecksum ?? null,
            imageChecks: probe.checks,
            profiles: matrix.profiles,
          },
          checkError: null,
          facts: servers.map((s) => ({ server: s.server, profile: profileOf.get(s.server) ?? '' })),
        },
      );
      // Opened again with the checksum the check resolved, if any.
      this.#forms.delete(row.id);
    } catch (error) {
      if (this.#closed) return;
      const message =
        error instanceof OvhError
          ? `The check could not read every server from OVH (${apiErrorFromOvh(error).message}); it is tried again.`
          : error instanceof ApiError
            ? `The check could not run: ${error.message}`
            : 'The check could not run; it is tried again.';
      this.#deps.logger.warn({ rollout: row.id, ...errorFields(error) }, 'a rollout check failed');
      await rollouts.setCheckError(row.id, message).catch(() => undefined);
    } finally {
      this.#checking.delete(row.id);
    }
  }

  #schedule(delay: number): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#round = this.round()
        .catch((error: unknown) => {
          this.#deps.logger.warn(
            errorFields(error),
            'the rollout driver could not read the store; trying again at the next round',
          );
        })
        .finally(() => {
          this.#timer = null;
          this.#schedule(this.#deps.tickMs);
        });
    }, delay);
    this.#timer.unref();
  }
}
