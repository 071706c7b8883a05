/**
 * Submitting one install to OVH, the same way for the install route and for a rollout's servers:
 * the store's per-server lock, the server must exist, no install may be running on it (judged from
 * its steps and its task together, as the progress screen does), then OVH's own answer. Once OVH
 * accepted, the install gets its record (history and outcome watch); a record that cannot be
 * written is logged, never turned into a failure of an install that runs.
 */
import {
  buildInstallPayload,
  PayloadError,
  type ByoiForm,
  type ConsoleRole,
  type InstallProgressDto,
  type InstallRoute,
} from '@byoi/shared';
import { ApiError } from '../apiError.ts';
import type { Logger } from '../logger.ts';
import type { OvhApi } from '../ovh/api.ts';
import type { ServerTask } from '../ovh/types.ts';
import { requireServer } from '../servers/requireServer.ts';
import type { InstallLocks } from '../store/installLocks.ts';
import type { InstallRecords } from '../store/installRecords.ts';
import type { InstallOutcomes } from './installOutcomes.ts';
import type { InstallTracker } from './installTracker.ts';
import { buildProgress, isTaskActive, latestInstallTask } from './progress.ts';
import { installFacts, libraryImageOf } from './submittedFacts.ts';

export interface SubmitDeps {
  ovh: OvhApi;
  tracker: InstallTracker;
  records: InstallRecords;
  locks: InstallLocks;
  outcomes: InstallOutcomes;
  logger: Pick<Logger, 'error'>;
  now?: () => number;
}

export interface SubmitRequest {
  server: string;
  route: InstallRoute;
  /** Validated with the route's form schema, library headers added. */
  form: ByoiForm;
  /** The install record's id (the submit's audit entry id, or the rollout's key for the server). */
  id: string;
  user: { username: string; role: ConsoleRole } | null;
  /**
   * Whether the console checks first that the server exists and runs no install (3 OVH reads),
   * to refuse with its own message. A rollout leaves both to OVH's answer to the submit, which
   * refuses them too (404; "Task … is already running"): one call per server instead of four,
   * so a wave of 100 starts together. The store's per-server lock is taken either way.
   */
  precheck?: boolean;
}

function inProgress(sn: string, started: string): ApiError {
  return new ApiError(
    409,
    'INSTALL_IN_PROGRESS',
    `An installation is already running on ${sn} (started ${started}). Wait for it to finish or cancel it.`,
  );
}

export function validationMessage(fieldErrors: Record<string, string[]>): string {
  const fields = Object.keys(fieldErrors);
  const first = fields[0];
  const firstMessage = first === undefined ? '' : ` ${first}: ${fieldErrors[first]?.[0] ?? ''}`;
  return `The install form has ${fields.length === 1 ? 'a problem' : `problems in ${fields.length} fields`}; nothing was sent to OVH.${firstMessage}`;
}

/** The builder re-validates; should it still refuse, that is the operator's form, not a crash. */
function buildPayload(route: InstallRoute, form: ByoiForm) {
  try {
    return buildInstallPayload(route, form);
  } catch (error) {
    if (error instanceof PayloadError) {
      throw new ApiError(400, 'VALIDATION_FAILED', validationMessage(error.fieldErrors), {
        fieldErrors: error.fieldErrors,
      });
    }
    throw error;
  }
}

/** OVH's task for the accepted install; an ApiError for every refusal, OVH's included. */
export async function submitInstall(deps: SubmitDeps, request: SubmitRequest): Promise<ServerTask> {
  const { ovh, tracker, records, locks, outcomes, logger } = deps;
  const now = deps.now ?? Date.now;
  const { server: sn, route, form } = request;
  const lock = await locks.acquire(sn);
  if (!lock) throw inProgress(sn, 'a moment ago from this console');
  try {
    const precheck = request.precheck !== false;
    if (precheck) await requireServer(ovh, sn);
    const payload = buildPayload(route, form);
    if (precheck) {
      const [status, task] = await Promise.all([
        ovh.getInstallStatus(sn),
        latestInstallTask(ovh, sn),
      ]);
      // The status outlives an install (its steps stay done or failed), so "running" is judged
      // from the steps and the task together, exactly as the progress screen shows it.
      const current = buildProgress(sn, status, task);
      await outcomes.observe(current);
      if (current.state === 'running') {
        tracker.markRunning(sn);
        const started =
          task?.startDate ?? new Date(now() - current.elapsedSeconds * 1000).toISOString();
        throw inProgress(sn, started);
      }
    }
    const started = await ovh.startInstall(route, sn, payload.body);
    tracker.markRunning(sn);
    try {
      await records.recordSubmitted({
        id: request.id,
        server: sn,
        taskId: started.taskId,
        user: request.user?.username ?? null,
        role: request.user?.role ?? null,
        route,
        submittedAt: new Date(now()),
        facts: installFacts(route, form, started),
        libraryImage: libraryImageOf(form),
      });
    } catch (error) {
      // OVH accepted: the install runs whatever the store says, and the answer must say so.
      logger.error(
        {
          server: sn,
          taskId: started.taskId,
          err: error instanceof Error ? { name: error.name, message: error.message } : {},
        },
        'install started but its record could not be written: no history entry, no watch',
      );
    }
    return started;
  } finally {
    // A release that fails leaves a row that expires with its lease.
    await locks.release(lock).catch(() => undefined);
  }
}

/**
 * Cancels the install running on `sn` at OVH and answers its progress after the cancel; an
 * ApiError when there is nothing to cancel. The caller has checked that the server exists.
 */
export async function cancelRunningInstall(
  deps: Pick<SubmitDeps, 'ovh' | 'tracker' | 'outcomes'>,
  sn: string,
): Promise<InstallProgressDto> {
  const { ovh, tracker, outcomes } = deps;
  const task = await latestInstallTask(ovh, sn);
  if (task === null) {
    throw new ApiError(
      404,
      'NOT_FOUND',
      `No installation has been started on ${sn}, so there is nothing to cancel.`,
    );
  }
  if (!isTaskActive(task)) {
    throw new ApiError(
      409,
      'INSTALL_NOT_RUNNING',
      `No installation is running on ${sn}: the last one (task ${task.taskId}) is already ${task.status}. There is nothing to cancel.`,
    );
  }
  await ovh.cancelTask(sn, task.taskId);
  const [status, after] = await Promise.all([ovh.getInstallStatus(sn), latestInstallTask(ovh, sn)]);
  const progress = buildProgress(sn, status, after);
  tracker.observe(sn, progress.state);
  await outcomes.observe(progress);
  return progress;
}
