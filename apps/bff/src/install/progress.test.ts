import { describe, expect, it } from 'vitest';
import { OvhApi } from '../ovh/api.ts';
import type { OvhTransport } from '../ovh/transport.ts';
import type { InstallationProgressStatus, ServerTask } from '../ovh/types.ts';
import { buildProgress, readInstallProgress } from './progress.ts';

const task = (status: ServerTask['status'], extra: Partial<ServerTask> = {}): ServerTask => ({
  taskId: 42,
  function: 'reinstallServer',
  status,
  comment: null,
  startDate: '2025-01-01T10:00:00Z',
  doneDate: null,
  lastUpdate: null,
  ...extra,
});

const now = Date.parse('2025-01-01T10:01:40Z');

describe('buildProgress', () => {
  it('is idle with no status and no task', () => {
    expect(buildProgress('s', null, null, now)).toEqual({
      serverName: 's',
      state: 'idle',
      percent: 0,
      elapsedSeconds: 0,
      steps: [],
      task: null,
      failure: null,
    });
  });

  it('is running while steps advance, with percent from done steps', () => {
    const p = buildProgress(
      's',
      {
        elapsedTime: 30,
        progress: [
          { comment: 'Downloading image', status: 'done', error: null },
          { comment: 'Checking image', status: 'doing', error: null },
          { comment: 'Writing image', status: 'todo', error: null },
        ],
      },
      task('doing'),
      now,
    );
    expect(p).toMatchObject({ state: 'running', percent: 33, elapsedSeconds: 30, failure: null });
    expect(p.task).toMatchObject({ taskId: 42, status: 'doing' });
  });

  it('is running just after submit (task todo, no status yet), timed from the task', () => {
    expect(buildProgress('s', null, task('todo'), now)).toMatchObject({
      state: 'running',
      elapsedSeconds: 100,
    });
  });

  it('is done at 100% when the task is done', () => {
    const p = buildProgress('s', null, task('done', { doneDate: '2025-01-01T10:01:00Z' }), now);
    expect(p).toMatchObject({ state: 'done', percent: 100, elapsedSeconds: 60 });
  });

  it("fails with the failing step's error and its catalog entry", () => {
    const message = 'Could not download image located: http://example.test/x.qcow2.';
    const p = buildProgress(
      's',
      {
        elapsedTime: 12,
        progress: [{ comment: 'Downloading image', status: 'error', error: message }],
      },
      task('customerError', { comment: 'ignored in favour of the step' }),
      now,
    );
    expect(p.state).toBe('failed');
    expect(p.failure?.message).toBe(message);
    expect(p.failure?.entry.code).not.toBe('UNKNOWN');
    expect(p.failure?.entry.message).toBe(message);
  });

  it("masks a signed URL's query values in OVH's messages, keeping their names", () => {
    const signed = 'https://img.example.test/x.raw?X-Amz-Signature=s3cr3t&X-Amz-Expires=600';
    const message = `Could not download image located: ${signed}.`;
    const p = buildProgress(
      's',
      {
        elapsedTime: 12,
        progress: [{ comment: 'Downloading image', status: 'error', error: message }],
      },
      task('customerError', { comment: message }),
      now,
    );
    const masked =
      'Could not download image located: https://img.example.test/x.raw?X-Amz-Signature=&X-Amz-Expires=.';
    expect(p.failure?.message).toBe(masked);
    expect(p.steps[0]?.error).toBe(masked);
    expect(p.task?.comment).toBe(masked);
    expect(JSON.stringify(p)).not.toContain('s3cr3t');
  });

  it('falls back to the task comment for the failure message', () => {
    const p = buildProgress(
      's',
      null,
      task('ovhError', { comment: "Can't write qcow2 on disk." }),
      now,
    );
    expect(p.failure?.message).toBe("Can't write qcow2 on disk.");
    expect(p.failure?.entry.code).not.toBe('UNKNOWN');
  });

  it('still says something when OVH gives no message', () => {
    const p = buildProgress('s', null, task('customerError'), now);
    expect(p.failure?.message).toContain('failed');
    expect(p.failure?.entry.code).toBe('UNKNOWN');
  });

  it('is cancelled when the task is cancelled', () => {
    expect(buildProgress('s', null, task('cancelled'), now).state).toBe('cancelled');
  });
});

describe('readInstallProgress', () => {
  const steps = (...statuses: ('done' | 'doing' | 'todo')[]): InstallationProgressStatus => ({
    elapsedTime: 60,
    progress: statuses.map((status, i) => ({ comment: `step ${i}`, status, error: null })),
  });

  /** OVH's answers in order for the status, and a finished install task. */
  function upstream(statuses: InstallationProgressStatus[]) {
    let statusReads = 0;
    const transport: OvhTransport = (_method, path) => {
      if (path.endsWith('/install/status')) {
        const answer = statuses[Math.min(statusReads, statuses.length - 1)];
        statusReads++;
        return Promise.resolve(answer);
      }
      if (path.endsWith('/task')) return Promise.resolve([42]);
      return Promise.resolve(task('done', { doneDate: '2025-01-01T10:05:00Z' }));
    };
    const api = new OvhApi({ transport, concurrency: 4, cacheTtlMs: 0 });
    return { api, statusReads: () => statusReads };
  }

  it('reads the status again when the task ended after it was read', async () => {
    const { api, statusReads } = upstream([steps('done', 'doing'), steps('done', 'done')]);
    const progress = await readInstallProgress(api, 's');
    expect(progress.state).toBe('done');
    expect(progress.steps.map((s) => s.status)).toEqual(['done', 'done']);
    expect(statusReads()).toBe(2);
  });

  it('reads the status once when both reads agree', async () => {
    const { api, statusReads } = upstream([steps('done', 'done')]);
    expect((await readInstallProgress(api, 's')).state).toBe('done');
    expect(statusReads()).toBe(1);
  });
});
