/**
 * The end this process has seen of each server's latest install task, which is final.
 *
 * An install task that has ended does not start again, yet OVH's two answers can say so for a
 * moment as an install ends (the status gone while the task still reads active): once an end has
 * been seen for a task, a later "running" for that same task keeps the end, so the progress page,
 * the server page and the list never disagree about it.
 *
 * Kept in memory, per process, on purpose: it is a cache of what OVH said, not a record. A restart
 * or another replica that never saw the end just asks OVH again, and how each of the console's own
 * installs ended is in the store (store/installRecords.ts).
 */
import type { InstallProgressDto } from '@byoi/shared';

/** One task: its id and its start (ids alone repeat when a simulator is reset). */
function sameTask(a: InstallProgressDto, b: InstallProgressDto): boolean {
  return (
    a.task !== null &&
    b.task !== null &&
    a.task.taskId === b.task.taskId &&
    a.task.startDate === b.task.startDate
  );
}

export class KnownInstalls {
  readonly #ended = new Map<string, InstallProgressDto>();
  /** The last state and task answered per server, to tell when it changes. */
  readonly #seen = new Map<string, string>();

  /**
   * OVH's progress as the console answers it: an end seen for this task kept over a later
   * "running". Returns the same object when there is nothing to change, so cached answers stay
   * cached.
   */
  settle(sn: string, progress: InstallProgressDto): InstallProgressDto {
    const ended = this.#ended.get(sn);
    if (progress.state === 'running' && ended && sameTask(ended, progress)) return ended;
    if (progress.state !== 'running' && progress.state !== 'idle') this.#ended.set(sn, progress);
    return progress;
  }

  /** True when `progress` says something else than the last answer for `sn` (another state or task). */
  changed(sn: string, progress: InstallProgressDto): boolean {
    const key = `${progress.state}:${progress.task?.taskId ?? ''}`;
    const before = this.#seen.get(sn);
    this.#seen.set(sn, key);
    return before !== undefined && before !== key;
  }
}
