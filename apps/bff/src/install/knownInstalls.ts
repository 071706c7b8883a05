/**
 * What this process remembers about each server's latest install, beside what OVH says: the facts
 * of an install it submitted (the done page shows what was installed), and the end it has seen of
 * an install task, which is final.
 *
 * An install task that has ended does not start again, yet OVH's two answers can say so for a
 * moment as an install ends (the status gone while the task still reads active): once an end has
 * been seen for a task, a later "running" for that same task keeps the end, so the progress page,
 * the server page and the list never disagree about it.
 */
import type { ByoiForm, InstallProgressDto, InstallRoute, SubmittedInstallDto } from '@byoi/shared';
import { redactUrl } from '../redact.ts';
import type { ServerTask } from '../ovh/types.ts';

/** The facts of a submitted form the console may show again: no header value, no user data. */
export function submittedFacts(
  route: InstallRoute,
  form: ByoiForm,
  task: Pick<ServerTask, 'taskId' | 'startDate'>,
): SubmittedInstallDto {
  const metadataKeys = form.configDriveMetadata?.length ?? 0;
  const userData = form.configDriveUserData !== undefined;
  const sshKey = form.sshKey !== undefined;
  return {
    taskId: task.taskId,
    route,
    submittedAt: task.startDate,
    imageURL: redactUrl(form.imageURL),
    imageType: form.imageType,
    imageCheckSum: form.imageCheckSum ?? null,
    imageCheckSumType: form.imageCheckSumType ?? null,
    customHostname: form.customHostname ?? null,
    efiBootloaderPath: form.efiBootloaderPath ?? null,
    configDrive:
      userData || sshKey || metadataKeys > 0 || form.customHostname !== undefined
        ? { userData, metadataKeys, sshKey }
        : null,
  };
}

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
  readonly #submitted = new Map<string, SubmittedInstallDto>();
  readonly #ended = new Map<string, InstallProgressDto>();
  /** The last state and task answered per server, to tell when it changes. */
  readonly #seen = new Map<string, string>();

  /** A new install of this console's: what it was given; any end seen before is of another task. */
  submitted(sn: string, facts: SubmittedInstallDto): void {
    this.#submitted.set(sn, facts);
    this.#ended.delete(sn);
  }

  /**
   * OVH's progress as the console answers it: an end seen for this task kept over a later
   * "running", and the submitted facts attached when the task is the one this console started.
   * Returns the same object when there is nothing to add, so cached answers stay cached.
   */
  settle(sn: string, progress: InstallProgressDto): InstallProgressDto {
    const taskId = progress.task?.taskId;
    const ended = this.#ended.get(sn);
    let answer = progress;
    if (progress.state === 'running' && ended && sameTask(ended, progress)) {
      answer = ended;
    } else if (progress.state !== 'running' && progress.state !== 'idle') {
      this.#ended.set(sn, progress);
    }
    const facts = this.#submitted.get(sn);
    if (facts && facts.taskId === taskId && answer.submitted !== facts) {
      answer = { ...answer, submitted: facts };
    }
    return answer;
  }

  /** True when `progress` says something else than the last answer for `sn` (another state or task). */
  changed(sn: string, progress: InstallProgressDto): boolean {
    const key = `${progress.state}:${progress.task?.taskId ?? ''}`;
    const before = this.#seen.get(sn);
    this.#seen.set(sn, key);
    return before !== undefined && before !== key;
  }
}
