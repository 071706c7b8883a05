/**
 * A signed image URL's token (its query values) never reaches another user: OVH's download
 * failure quotes the image URL, and the console masks its query values wherever it shows or logs
 * OVH's words — the progress page, the server page, error answers, the log and the audit log.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startImageServer, type ImageServer } from '@byoi/test-kit';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import type { InstallProgressDto } from '@byoi/shared';
import { eventually, startHarness, type Harness } from '../testing/harness.ts';
import { OPERATOR, VIEWER } from '../testing/users.ts';

const TOKEN = 'sig-4f9d2c1e7b';
let h: Harness;
let images: ImageServer;

beforeAll(async () => {
  h = await startHarness();
  images = await startImageServer({ dir: '/nonexistent' });
}, 60_000);
afterAll(async () => {
  await images.close();
  await h.close();
});

it("masks a signed URL's token in OVH's failure message for every reader", async () => {
  const operator = await h.signIn(OPERATOR);
  const viewer = await h.signIn(VIEWER);
  const imageURL = `${images.url}/status/404?X-Amz-Signature=${TOKEN}&X-Amz-Expires=600`;
  const submit = await operator
    .post(`/api/servers/${DEFAULT_SERVER}/install`)
    .send({ imageURL, imageType: 'raw', efiBootloaderPath: '\\efi\\boot\\bootx64.efi' });
  expect(submit.status).toBe(202);

  const failed = await eventually(async () => {
    const res = await viewer.get(`/api/servers/${DEFAULT_SERVER}/install`);
    const body = res.body as InstallProgressDto;
    return body.state === 'failed' ? res : undefined;
  }, 30_000);
  const progress = JSON.stringify(failed.body);
  // OVH's message quoted the URL: its query keys stay, its values do not.
  expect(progress).toContain('X-Amz-Signature=');
  expect(progress).not.toContain(TOKEN);

  const page = await viewer.get(`/api/servers/${DEFAULT_SERVER}`);
  expect(page.status).toBe(200);
  expect(JSON.stringify(page.body)).not.toContain(TOKEN);

  await h.audit.flush();
  expect(h.logLines.join('\n')).not.toContain(TOKEN);
  const audit = await operator.get('/api/audit?limit=1000');
  expect(JSON.stringify(audit.body)).not.toContain(TOKEN);
});
