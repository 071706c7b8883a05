/**
 * The progress screen's data: OVH's install status (the steps; 404 when none runs) plus the latest
 * `reinstallServer` task (which outlives the status and tells how it ended).
 */
import {
  explainUpstreamMessage,
  type InstallProgressDto,
  type InstallState,
  type InstallTaskDto,
} from '@byoi/shared';
import type { OvhApi } from '../ovh/api.ts';
import type { InstallationProgressStatus, ServerTask } from '../ovh/types.ts';
import type { InstallRecords } from '../store/installRecords.ts';
import type { InstallOutcomes } from './installOutcomes.ts';
import type { InstallTracker } from './installTracker.ts';
import type { KnownInstalls } from './knownInstalls.ts';
import { redactMessage } from '../redact.ts';
import { submittedPart } from './submittedFacts.ts';

export const INSTALL_TASK_FUNCTION = 'reinstallServer';
const ACTIVE_TASK = new Set(['init', 'todo', 'doing']);

export function isTaskActive(task: ServerTask | null): boolean {
  return task !== null && ACTIVE_TASK.has(task.status);
}

export function toTaskDto(task: ServerTask): InstallTaskDto {
  return {
    taskId: task.taskId,
    function: task.function,
    status: task.status,
    comment: task.comment == null ? null : redactMessage(task.comment),
    startDate: task.startDate,
    doneDate: task.doneDate ?? null,
    lastUpdate: task.lastUpdate ?? null,
  };
}

/** The newest install task on the server, or null. Task ids grow over time at OVH. */
export async function latestInstallTask(api: OvhApi, sn: string): Promise<ServerTask | null> {
  const ids = await api.listTasks(sn, { function: INSTALL_TASK_FUNCTION });
  if (ids.length === 0) return null;
  return api.getTask(sn, Math.max(...ids));
}

function stateOf(status: InstallationProgressStatus | null, task: ServerTask | null): InstallState {
  const steps = status?.progress ?? [];
  if (task?.status === 'cancelled') return 'cancelled';
  if (
    steps.some((s) => s.status === 'error') ||
    task?.status === 'customerError' ||
    task?.status === 'ovhError'
  )
    return 'failed';
  if (task?.status === 'done') return 'done';
  if (status !== null) {
    return steps.length > 0 && steps.every((s) => s.status === 'done') ? 'done' : 'running';
  }
  return isTaskActive(task) ? 'running' : 'idle';
}

function secondsBetween(from: string, to: number): number {
  const start = Date.parse(from);
  return Number.isNaN(start) ? 0 : Math.max(0, Math.round((to - start) / 1000));
}

/** Pure: OVH's two answers → the DTO. */
export function buildProgress(
  serverName: string,
  status: InstallationProgressStatus | null,
  task: ServerTask | null,
  now: number = Date.now(),
): InstallProgressDto {
  const steps = (status?.progress ?? []).map((s) => ({
    comment: s.comment,
    status: s.status,
    // OVH's download failure quotes the image URL: its query values (a signed URL's token) are
    // masked before any viewer sees them.
    error: s.error == null ? null : redactMessage(s.error),
  }));
  const state = stateOf(status, task);
  const done = steps.filter((s) => s.status === 'done').length;
  const percent =
    state === 'done' ? 100 : steps.length === 0 ? 0 : Math.floor((done / steps.length) * 100);

  let elapsedSeconds = 0;
  if (status) elapsedSeconds = status.elapsedTime;
  else if (task && state !== 'idle')
    elapsedSeconds = secondsBetween(
      task.startDate,
      task.doneDate ? Date.parse(task.doneDate) : now,
    );

  let failure: InstallProgressDto['failure'] = null;
  if (state === 'failed') {
    const message =
      steps.find((s) => s.status === 'error' && s.error)?.error ??
      (task?.comment == null ? undefined : redactMessage(task.comment)) ??
      'OVH reported that the installation failed without saying why.';
    failure = { message, entry: explainUpstreamMessage(message) };
  }

  return {
    serverName,
    state,
    percent,
    elapsedSeconds,
    steps,
    task: task ? toTaskDto(task) : null,
    failure,
  };
}

export async function readInstallProgress(api: OvhApi, sn: string): Promise<InstallProgressDto> {
  const [status, task] = await Promise.all([api.getInstallStatus(sn), latestInstallTask(api, sn)]);
  // The two reads race: a status read just before the install ended, with a task read just after,
  // would show a finished install with steps still running. The status is read again then (OVH
  // answers 404 once the install is over; the simulator, its finished steps).
  if (task?.status === 'done' && status?.progress?.some((s) => s.status !== 'done')) {
    return buildProgress(sn, await api.getInstallStatus(sn), task);
  }
  return buildProgress(sn, status, task);
}

export interface InstallWatch {
  ovh: OvhApi;
  tracker: InstallTracker;
  known: KnownInstalls;
  records: Pick<InstallRecords, 'factsOf' | 'runningOn'>;
  /** Told every answer, to record the outcome of an install of the console's it shows ended. */
  outcomes: Pick<InstallOutcomes, 'observe'>;
}

/** OVH's progress with what the console submitted for its task, when the console started it. */
async function withSubmitted(
  records: InstallWatch['records'],
  progress: InstallProgressDto,
): Promise<InstallProgressDto> {
  if (progress.task === null) return progress;
  const facts = await records.factsOf(progress.serverName, progress.task);
  return facts ? { ...progress, submitted: submittedPart(facts) } : progress;
}

/**
 * The one judgement of an install that every route answers with (progress, server page, list):
 * OVH's progress as `buildProgress` reads it, settled by what this console has seen, with the
 * facts it submitted (from the install record, whichever replica wrote it). A change (another
 * state or task) drops the server's cached answers, so a page read next — the server page right
 * after the progress page saw the end — is read again rather than from the cache. `cached` lets a
 * settled answer be kept for the TTL (the server page), unless an install is known to run there:
 * seen by this process, or one of the console's on any replica (another replica's within that TTL:
 * the store's answer is kept as long, see `InstallRecords.runningOn`).
 */
export async function followInstall(
  { ovh, tracker, known, records, outcomes }: InstallWatch,
  sn: string,
  { cached = false }: { cached?: boolean } = {},
): Promise<InstallProgressDto> {
  const read = async () =>
    known.settle(sn, await withSubmitted(records, await readInstallProgress(ovh, sn)));
  const useCache =
    cached && !tracker.isKnownRunning(sn) && !(await records.runningOn([sn])).has(sn);
  const progress = useCache
    ? known.settle(
        sn,
        await ovh.remember(sn, 'install-progress', read, (p) => p.state !== 'running'),
      )
    : await read();
  if (known.changed(sn, progress)) ovh.invalidateServer(sn);
  tracker.observe(sn, progress.state);
  await outcomes.observe(progress);
  return progress;
}
