import { describe, expect, it } from 'vitest';
import type { InstallProgressDto } from '@byoi/shared';
import { KnownInstalls } from './knownInstalls.ts';

const SN = 'ns1.example';

function progress(
  state: InstallProgressDto['state'],
  taskId: number | null,
  status: 'doing' | 'done' = 'doing',
): InstallProgressDto {
  return {
    serverName: SN,
    state,
    percent: state === 'done' ? 100 : 50,
    elapsedSeconds: 10,
    steps: [],
    task:
      taskId === null
        ? null
        : {
            taskId,
            function: 'reinstallServer',
            status,
            comment: null,
            startDate: '2026-11-26T01:00:00.000Z',
            doneDate: null,
            lastUpdate: null,
          },
    failure: null,
  };
}

describe('KnownInstalls', () => {
  it('keeps an end seen for a task over a later "running" of that same task', () => {
    const known = new KnownInstalls();
    const done = progress('done', 7);
    expect(known.settle(SN, progress('running', 7))).toMatchObject({ state: 'running' });
    expect(known.settle(SN, done)).toBe(done);
    // OVH's status gone while its task still reads "doing": the install does not start again.
    expect(known.settle(SN, progress('running', 7))).toBe(done);
    // A new task is a new install.
    expect(known.settle(SN, progress('running', 8))).toMatchObject({ state: 'running' });
  });

  it('takes a new start of the same task id for a new install', () => {
    const known = new KnownInstalls();
    known.settle(SN, progress('done', 7));
    const running = progress('running', 7);
    const again: InstallProgressDto = {
      ...running,
      task: running.task && { ...running.task, startDate: '2026-11-26T02:00:00.000Z' },
    };
    expect(known.settle(SN, again)).toBe(again);
  });

  it('answers an answer it does not change as the same object (cached JSON stays cached)', () => {
    const known = new KnownInstalls();
    const idle = progress('idle', null);
    expect(known.settle(SN, idle)).toBe(idle);
    const failed = progress('failed', 7);
    expect(known.settle(SN, failed)).toBe(failed);
    expect(known.settle(SN, failed)).toBe(failed);
  });

  it('tells a change of state or task from the same answer again', () => {
    const known = new KnownInstalls();
    expect(known.changed(SN, progress('idle', null))).toBe(false);
    expect(known.changed(SN, progress('idle', null))).toBe(false);
    expect(known.changed(SN, progress('running', 7))).toBe(true);
    expect(known.changed(SN, progress('running', 7))).toBe(false);
    expect(known.changed(SN, progress('done', 7))).toBe(true);
  });
});
