/**
 * How each install this console started ended, in the audit log: `done`, `failed` (with OVH's
 * message) or `cancelled`, as an entry of its own linked to the submit's (`relatesTo`, `taskId`).
 * The console learns it from whichever comes first: a progress read (the progress screen, a
 * cancel) or its own watch, which asks OVH for the task every `intervalMs` until it ends or
 * `timeoutMs` passes. Each outcome is recorded once: the first to see the end takes the install
 * off the list, synchronously, so the other finds nothing to record.
 */
import type { ConsoleRole, InstallProgressDto } from '@byoi/shared';
import type { AuditLog } from '../audit/auditLog.ts';
import { redactMessage } from '../redact.ts';
import type { Logger } from '../logger.ts';
import type { OvhApi } from '../ovh/api.ts';
import { OvhError } from '../ovh/errors.ts';
import { buildProgress, isTaskActive } from './progress.ts';

export const DEFAULT_WATCH_INTERVAL_MS = 10_000;
/** OVH installs take minutes to an hour; one still running after this is left to progress reads. */
export const DEFAULT_WATCH_TIMEOUT_MS = 6 * 60 * 60_000;

export interface FollowedInstall {
  server: string;
  taskId: number;
  /** The id of the submit's audit entry. */
  submitId: string;
  user: string | null;
  role: ConsoleRole | null;
  /** When the watch began (epoch ms); now by default. */
  since?: number;
}

interface Followed extends Required<FollowedInstall> {
  /** False once the watch timed out: a progress read still records the outcome. */
  watching: boolean;
}

type Ended = Extract<InstallProgressDto['state'], 'done' | 'failed' | 'cancelled'>;

export interface InstallOutcomesOptions {
  ovh: Pick<OvhApi, 'getTask' | 'getInstallStatus'>;
  audit: Pick<AuditLog, 'record' | 'page'>;
  logger: Pick<Logger, 'warn' | 'info'>;
  intervalMs?: number;
  timeoutMs?: number;
  /** Told when a followed install ends (the tracker drops the server's "installing"). */
  onEnded?: (server: string, state: Ended) => void;
  now?: () => number;
}

const key = (server: string, taskId: number) => `${server}\n${taskId}`;

function ended(state: InstallProgressDto['state']): state is Ended {
  return state === 'done' || state === 'failed' || state === 'cancelled';
}

export class InstallOutcomes {
  readonly #followed = new Map<string, Followed>();
  readonly #options: Required<Omit<InstallOutcomesOptions, 'onEnded'>> &
    Pick<InstallOutcomesOptions, 'onEnded'>;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: InstallOutcomesOptions) {
    this.#options = {
      intervalMs: DEFAULT_WATCH_INTERVAL_MS,
      timeoutMs: DEFAULT_WATCH_TIMEOUT_MS,
      now: Date.now,
      ...options,
    };
  }

  /** Installs whose outcome is not recorded yet. */
  get following(): number {
    return this.#followed.size;
  }

  follow(install: FollowedInstall): void {
    if (this.#closed) return;
    this.#followed.set(key(install.server, install.taskId), {
      ...install,
      since: install.since ?? this.#options.now(),
      watching: true,
    });
    this.#schedule();
  }

  /** A progress read (or a cancel's answer): records the outcome if it ends a followed install. */
  observe(progress: InstallProgressDto): void {
    if (!progress.task || !ended(progress.state)) return;
    this.#settle(key(progress.serverName, progress.task.taskId), progress, 'progress');
  }

  /**
   * Follows again the installs the log shows submitted (within the watch timeout) with no outcome
   * yet: those a previous run of the console started and did not see end.
   */
  async resume(): Promise<number> {
    const from = this.#options.now() - this.#options.timeoutMs;
    const page = await this.#options.audit.page({
      filter: {
        events: new Set(['install']),
        outcomes: new Set(['submitted', 'done', 'failed', 'cancelled']),
        from,
      },
      limit: 1000,
    });
    const settled = new Set(page.entries.map((e) => e.relatesTo).filter(Boolean));
    let resumed = 0;
    for (const entry of page.entries) {
      if (entry.outcome !== 'submitted' || settled.has(entry.id) || entry.replayed) continue;
      if (entry.server === undefined || entry.taskId === undefined) continue;
      const since = Date.parse(entry.time);
      this.follow({
        server: entry.server,
        taskId: entry.taskId,
        submitId: entry.id,
        user: entry.user,
        role: entry.role,
        since: Number.isNaN(since) ? this.#options.now() : since,
      });
      resumed += 1;
    }
    return resumed;
  }

  /** One round of the watch: asks OVH about every followed install still watched. */
  async poll(): Promise<void> {
    for (const [id, install] of [...this.#followed]) {
      if (this.#closed) return;
      if (!install.watching) continue;
      if (this.#options.now() - install.since > this.#options.timeoutMs) {
        install.watching = false;
        this.#options.logger.warn(
          { server: install.server, taskId: install.taskId },
          'install still running after the watch timeout: its outcome is recorded at the next progress read',
        );
        continue;
      }
      try {
        const progress = await this.#read(install);
        if (progress && ended(progress.state)) this.#settle(id, progress, 'watch');
      } catch (error) {
        if (error instanceof OvhError && error.status === 404) {
          // The task is gone (or the server left the account): there is no outcome to learn.
          this.#followed.delete(id);
          this.#options.logger.warn(
            { server: install.server, taskId: install.taskId },
            'install task no longer exists at OVH: stopped following it',
          );
          continue;
        }
        // OVH unreachable or refusing for now: the next round asks again.
        this.#options.logger.warn(
          {
            server: install.server,
            taskId: install.taskId,
            err: error instanceof Error ? { name: error.name, message: error.message } : {},
          },
          'could not read an install task; trying again at the next round',
        );
      }
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** The task first (one call while it runs); the steps only for a failure's message. */
  async #read(install: Followed): Promise<InstallProgressDto | null> {
    const task = await this.#options.ovh.getTask(install.server, install.taskId);
    if (isTaskActive(task)) return null;
    const failed = task.status === 'customerError' || task.status === 'ovhError';
    const status = failed
      ? await this.#options.ovh.getInstallStatus(install.server).catch(() => null)
      : null;
    return buildProgress(install.server, status, task);
  }

  #settle(id: string, progress: InstallProgressDto, learnedFrom: 'progress' | 'watch'): void {
    const install = this.#followed.get(id);
    if (!install || !ended(progress.state)) return;
    // Taken off before recording: whoever comes second finds nothing.
    this.#followed.delete(id);
    const message = progress.failure?.message;
    this.#options.audit.record({
      time: new Date(this.#options.now()).toISOString(),
      event: 'install',
      outcome: progress.state,
      user: install.user,
      role: install.role,
      ip: null,
      server: install.server,
      taskId: install.taskId,
      relatesTo: install.submitId,
      learnedFrom,
      ...(message !== undefined ? { message: redactMessage(message) } : {}),
    });
    this.#options.onEnded?.(install.server, progress.state);
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      void this.poll().finally(() => {
        this.#timer = null;
        if ([...this.#followed.values()].some((f) => f.watching)) this.#schedule();
      });
    }, this.#options.intervalMs);
    // The watch must never keep a stopping process alive.
    this.#timer.unref();
  }
}
