import { describe, expect, it } from 'vitest';
import type { InstallProgressDto } from '@byoi/shared';
import { KnownInstalls, submittedFacts } from './knownInstalls.ts';

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

  it('forgets the end once this console submits a new install', () => {
    const known = new KnownInstalls();
    known.settle(SN, progress('done', 7));
    known.submitted(
      SN,
      submittedFacts(
        'reinstall',
        {
          imageURL: 'https://images.example.com/a.qcow2',
          imageType: 'qcow2',
          httpHeaders: [],
          configDriveMetadata: [],
        },
        { taskId: 7, startDate: '2026-11-26T01:00:00.000Z' },
      ),
    );
    expect(known.settle(SN, progress('running', 7)).state).toBe('running');
  });

  it('attaches the submitted facts to the task this console started, and only to it', () => {
    const known = new KnownInstalls();
    const facts = submittedFacts(
      'reinstall',
      {
        imageURL: 'https://user:pw@images.example.com/a.qcow2?sig=abc#x',
        imageType: 'qcow2',
        httpHeaders: [{ name: 'Authorization', value: 'Bearer t0ken' }],
        configDriveUserData: '#cloud-config\n',
        configDriveMetadata: [{ key: 'role', value: 'web' }],
      },
      { taskId: 7, startDate: '2026-11-26T01:00:00.000Z' },
    );
    expect(facts).toMatchObject({
      imageURL: 'https://images.example.com/a.qcow2?sig=',
      configDrive: { userData: true, metadataKeys: 1, sshKey: false },
      imageCheckSum: null,
      customHostname: null,
    });
    expect(JSON.stringify(facts)).not.toMatch(/t0ken|cloud-config|pw/);
    known.submitted(SN, facts);
    expect(known.settle(SN, progress('running', 7)).submitted).toBe(facts);
    expect(known.settle(SN, progress('running', 6)).submitted).toBeUndefined();
    // A settled answer that already carries them is answered as it is (cached JSON stays cached).
    const settled = known.settle(SN, progress('done', 7));
    expect(known.settle(SN, settled)).toBe(settled);
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
