/**
 * One truth about a running install, through the real app, node-ovh and simulator with the server
 * cache on: once the progress route says an install ended, the server page and the list say so
 * too at once, and both carry what this console submitted (the image facts of the done page).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureImages, startImageServer, type ImageKit, type ImageServer } from '@byoi/test-kit';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import type { InstallProgressDto, ServerDetailResponse, ServerListResponse } from '@byoi/shared';
import { eventually, startHarness, type Harness } from '../testing/harness.ts';
import { OPERATOR, VIEWER, type TestAgent } from '../testing/users.ts';

let h: Harness;
let kit: ImageKit;
let images: ImageServer;
let operator: TestAgent;

beforeAll(async () => {
  [h, kit] = await Promise.all([
    startHarness({ SERVER_CACHE_TTL_MS: '60000', SIMULATOR_CLOCK_SPEED: '1000' }),
    ensureImages(),
  ]);
  images = await startImageServer({ dir: kit.dir });
  operator = await h.signIn(OPERATOR);
}, 180_000);
afterAll(async () => {
  await images.close();
  await h.close();
});
beforeEach(() => {
  h.sim.admin.reset();
  images.reset();
});

const EFI = '\\efi\\debian\\grubx64.efi';
const install = `/api/servers/${DEFAULT_SERVER}/install`;

const detail = async (agent = operator) =>
  (await agent.get(`/api/servers/${DEFAULT_SERVER}`).expect(200)).body as ServerDetailResponse;

const listed = async () => {
  const body = (
    await operator
      .get(`/api/servers?pageSize=5&search=${encodeURIComponent(DEFAULT_SERVER)}`)
      .expect(200)
  ).body as ServerListResponse;
  return body.items.find((s) => s.name === DEFAULT_SERVER);
};

/** Polls the progress route as the progress page does, until the install ends. */
async function progressUntilEnd(): Promise<InstallProgressDto> {
  return eventually(async () => {
    const body = (await operator.get(install).expect(200)).body as InstallProgressDto;
    return body.state === 'running' ? undefined : body;
  }, 30_000);
}

describe('the server page after the progress page saw the end', () => {
  it('says the install ended, with Install free again, though its idle answer was cached', async () => {
    expect((await detail()).install.state).toBe('idle');
    await operator
      .post(install)
      .send({
        imageURL: `${images.url}/images/${kit.images.qcow2.file}`,
        imageType: 'qcow2',
        efiBootloaderPath: EFI,
      })
      .expect(202);
    expect((await detail()).server.installing).toBe(true);
    expect((await listed())?.installing).toBe(true);

    const end = await progressUntilEnd();
    expect(end.state).toBe('done');
    // Straight from "Installation complete" to the server page and the list: no wait, no reload.
    const after = await detail();
    expect(after.install.state).toBe('done');
    expect(after.install.task?.taskId).toBe(end.task?.taskId);
    expect(after.server.installing).toBe(false);
    expect((await listed())?.installing).toBe(false);
    // The new system shows too: the end dropped the cached server object.
    expect(after.server.os).toBe('byoi_64');
  });

  it('answers what was submitted on the progress and server pages, a signed URL masked', async () => {
    const signed = `${images.url}/images/${kit.images.qcow2.file}?X-Amz-Signature=s3cr3t&X-Amz-Expires=600`;
    const started = await operator
      .post(install)
      .send({
        imageURL: signed,
        imageType: 'qcow2',
        imageCheckSum: kit.images.qcow2.sha256,
        imageCheckSumType: 'sha256',
        httpHeaders: [{ name: 'Authorization', value: 'Bearer t0ken' }],
        customHostname: 'web-01.example.com',
        efiBootloaderPath: EFI,
      })
      .expect(202);
    const end = await progressUntilEnd();
    expect(end.state).toBe('done');
    const expected = {
      taskId: (started.body as { task: { taskId: number } }).task.taskId,
      route: 'reinstall',
      imageURL: `${images.url}/images/${kit.images.qcow2.file}?X-Amz-Signature=&X-Amz-Expires=`,
      imageType: 'qcow2',
      imageCheckSum: kit.images.qcow2.sha256,
      imageCheckSumType: 'sha256',
      customHostname: 'web-01.example.com',
      efiBootloaderPath: EFI,
      // The hostname travels in the Config Drive; nothing else was given.
      configDrive: { userData: false, metadataKeys: 0, sshKey: false },
    };
    expect(end.submitted).toMatchObject(expected);
    // A viewer reads the same facts on the server page; never the signature or the header value.
    const seen = await detail(await h.signIn(VIEWER));
    expect(seen.install.submitted).toMatchObject(expected);
    expect(JSON.stringify(seen)).not.toMatch(/s3cr3t|t0ken/);
  });

  it('says no Config Drive was built when none of its fields was given', async () => {
    await operator
      .post(install)
      .send({
        imageURL: `${images.url}/images/${kit.images.qcow2.file}`,
        imageType: 'qcow2',
        efiBootloaderPath: EFI,
      })
      .expect(202);
    expect((await progressUntilEnd()).submitted?.configDrive).toBeNull();
  });
});
