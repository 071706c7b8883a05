import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureImages, startImageServer, type ImageKit, type ImageServer } from '@byoi/test-kit';
import { timeCoreutilsChecksum, timeStreamedChecksum } from './measureChecksum.ts';

let kit: ImageKit;
let images: ImageServer;

beforeAll(async () => {
  kit = await ensureImages();
  images = await startImageServer({ dir: kit.dir });
}, 300_000);

afterAll(() => images.close());

describe('the checksum measurement hook (for bench/)', () => {
  it('times the streamed checksum and sha256sum on the same image, and they agree', async () => {
    const image = kit.images['raw-gpt'];
    const streamed = await timeStreamedChecksum({
      url: `${images.url}/images/${image.file}`,
      type: 'sha256',
    });
    const coreutils = await timeCoreutilsChecksum(image.path, 'sha256', image.size);
    expect(streamed).toMatchObject({ checksum: image.sha256, bytes: image.size });
    expect(coreutils.checksum).toBe(image.sha256);
    expect(streamed.bytesPerSecond).toBeGreaterThan(0);
    expect(coreutils.bytesPerSecond).toBeGreaterThan(0);
  });

  it('keeps the address guard: loopback is refused when not allowed', async () => {
    await expect(
      timeStreamedChecksum({
        url: `${images.url}/images/${kit.images['raw-gpt'].file}`,
        type: 'sha256',
        allowLoopback: false,
      }),
    ).rejects.toThrow('a loopback address');
  });
});
