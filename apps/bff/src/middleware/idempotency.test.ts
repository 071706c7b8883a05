/**
 * `Idempotency-Key` on install, against the real app and simulator: replays share the first
 * answer and OVH sees one install, however many arrive and however concurrently.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, LEGACY_SERVER, SMALL_DISK_SERVER } from '@byoi/ovh-simulator';
import type { InstallResponse } from '@byoi/shared';
import { startHarness, type Harness } from '../testing/harness.ts';
import { OPERATOR, SCOPED_OPERATOR, type TestAgent } from '../testing/users.ts';

let h: Harness;
let operator: TestAgent;
beforeAll(async () => {
  h = await startHarness();
  operator = await h.signIn(OPERATOR);
});
afterAll(() => h.close());
beforeEach(() => {
  h.sim.admin.reset();
  // Installs stay running for the whole test, so a second real install would be refused (409).
  h.sim.admin.setClockSpeed(1);
});

const form = {
  imageURL: 'https://images.example.com/debian.qcow2',
  imageType: 'qcow2',
  efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
};

describe('Idempotency-Key on install', () => {
  it('20 parallel replays of one key → one upstream install, 20 identical 202 answers', async () => {
    const key = 'b6f1c7a2-5d1e-4a8e-9a51-2f0c8d1e7a10';
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        operator
          .post(`/api/servers/${DEFAULT_SERVER}/install`)
          .set('Idempotency-Key', key)
          .send(form),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 202));
    const taskIds = new Set(answers.map((r) => (r.body as InstallResponse).task.taskId));
    expect(taskIds.size).toBe(1);
    expect(answers.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
    expect(h.sim.admin.requests()).toHaveLength(1);
    expect(h.sim.admin.calls()[`POST /dedicated/server/${DEFAULT_SERVER}/reinstall`]).toBe(1);

    // A later replay still gets the first answer, and still no second install.
    const late = await operator
      .post(`/api/servers/${DEFAULT_SERVER}/install`)
      .set('Idempotency-Key', key)
      .send(form);
    expect(late.status).toBe(202);
    expect((late.body as InstallResponse).task.taskId).toBe([...taskIds][0]);
    expect(h.sim.admin.requests()).toHaveLength(1);
  });

  it('refuses the same key with a different body (422), and a malformed key (400)', async () => {
    const key = 'key-for-one-body';
    expect(
      (
        await operator
          .post(`/api/servers/${LEGACY_SERVER}/install`)
          .set('Idempotency-Key', key)
          .send(form)
      ).status,
    ).toBe(202);
    const other = await operator
      .post(`/api/servers/${LEGACY_SERVER}/install`)
      .set('Idempotency-Key', key)
      .send({ ...form, imageType: 'raw' });
    expect(other.status).toBe(422);
    expect(other.body.error.message).toContain('already used for a different install request');
    const bad = await operator
      .post(`/api/servers/${LEGACY_SERVER}/install`)
      .set('Idempotency-Key', 'has spaces in it')
      .send(form);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('Idempotency-Key');
    expect(h.sim.admin.requests()).toHaveLength(1);
  });

  it('keeps keys per user: another operator with the same key is a new request', async () => {
    const key = 'shared-key';
    const first = await operator
      .post(`/api/servers/${SMALL_DISK_SERVER}/install`)
      .set('Idempotency-Key', key)
      .send(form);
    expect(first.status).toBe(202);
    const scoped = await h.signIn(SCOPED_OPERATOR);
    const second = await scoped
      .post(`/api/servers/${SMALL_DISK_SERVER}/install`)
      .set('Idempotency-Key', key)
      .send(form);
    // Not a replay of olivia's answer: a fresh request, refused because an install runs.
    expect(second.status).toBe(409);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(h.sim.admin.requests()).toHaveLength(1);
  });
});
