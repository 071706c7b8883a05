/**
 * "Verify checksum" against the real image kit: the result OVH's own checksum step would reach,
 * every way the download can end, cancellation, and constant memory on a 2 GiB image.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FIXTURES, DEFAULT_SERVER, SMALL_RAM_SERVER } from '@byoi/ovh-simulator';
import { ensureImages, startImageServer, type ImageKit, type ImageServer } from '@byoi/test-kit';
import {
  UPSTREAM_MESSAGES,
  type HardwareDto,
  type PreflightProgressEvent,
  type PreflightRequest,
} from '@byoi/shared';
import { toHardwareDto } from '../servers/mapping.ts';
import { createPreflightFetch } from './preflightFetch.ts';
import { runVerify } from './runVerify.ts';

let kit: ImageKit;
let images: ImageServer;

beforeAll(async () => {
  kit = await ensureImages();
  images = await startImageServer({ dir: kit.dir });
}, 300_000);

afterAll(() => images.close());
beforeEach(() => images.reset());

function hardwareOf(name: string): HardwareDto {
  const fixture = DEFAULT_FIXTURES.find((f) => f.name === name);
  if (!fixture) throw new Error(`no simulator fixture ${name}`);
  return toHardwareDto(fixture.hardware);
}

const fetch = createPreflightFetch({ mode: 'simulator', preflightAllowHosts: [] });
const url = (path: string) => `${images.url}${path}`;

function verify(
  input: Partial<PreflightRequest> & { imageURL: string },
  options: { server?: string; signal?: AbortSignal; progress?: PreflightProgressEvent[] } = {},
) {
  return runVerify({ imageType: 'raw', ...input }, hardwareOf(options.server ?? DEFAULT_SERVER), {
    fetch,
    progressIntervalMs: 0,
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (event) => options.progress?.push(event),
  });
}

describe('runVerify', () => {
  it('matches the right checksum and reports progress up to the whole size', async () => {
    const image = kit.images['raw-gpt'];
    const progress: PreflightProgressEvent[] = [];
    const outcome = await verify(
      {
        imageURL: url(`/images/${image.file}`),
        imageCheckSum: image.sha256,
        imageCheckSumType: 'sha256',
      },
      { progress },
    );
    expect(outcome).toEqual({
      kind: 'result',
      body: {
        match: true,
        algorithm: 'sha256',
        expected: image.sha256,
        actual: image.sha256,
        bytes: image.size,
      },
    });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({
      bytes: image.size,
      totalBytes: image.size,
      etaSeconds: 0,
    });
    expect(progress.every((p) => p.bytesPerSecond >= 0)).toBe(true);
  });

  it('predicts the mismatch message OVH gives, with the actual checksum', async () => {
    const image = kit.images.qcow2;
    const wrong = kit.images['raw-gpt'].md5;
    const outcome = await verify({
      imageURL: url(`/images/${image.file}`),
      imageType: 'qcow2',
      imageCheckSum: wrong,
      imageCheckSumType: 'md5',
    });
    expect(outcome.kind).toBe('result');
    if (outcome.kind !== 'result') return;
    expect(outcome.body.match).toBe(false);
    expect(outcome.body.actual).toBe(image.md5);
    expect(outcome.body.predictedMessage).toBe(
      UPSTREAM_MESSAGES.checksumMismatch('md5', image.md5, wrong),
    );
    expect(outcome.body.remedy).toContain('md5sum');
  });

  it('takes the expected checksum from a checksum file and says which line', async () => {
    const image = kit.images['raw-mbr'];
    const outcome = await verify({
      imageURL: url(`/images/${image.file}`),
      checksumFileURL: url('/sums/SHA512SUMS'),
    });
    expect(outcome).toMatchObject({
      kind: 'result',
      body: {
        match: true,
        algorithm: 'sha512',
        expected: image.sha512,
        matchedLine: `SHA512 (${image.file}) = ${image.sha512}`,
      },
    });
  });

  it('says there is nothing to compare with when the checksum file has no line for the image', async () => {
    const outcome = await verify({
      imageURL: url('/images/kit.json'),
      checksumFileURL: url('/sums/SHA256SUMS'),
    });
    expect(outcome).toMatchObject({ kind: 'error', body: { code: 'NO_CHECKSUM' } });
  });

  it('predicts the download failure for a host that wants a header', async () => {
    const imageURL = url('/auth/images/raw-gpt.img');
    const outcome = await verify({
      imageURL,
      imageCheckSum: kit.images['raw-gpt'].sha1,
      imageCheckSumType: 'sha1',
    });
    expect(outcome).toMatchObject({
      kind: 'error',
      body: {
        code: 'DOWNLOAD_FAILED',
        message:
          'The image could not be downloaded: The image host answered HTTP 401 to the download.',
        predictedMessage: 'Could not download image: The requested URL returned error: 401',
      },
    });
  });

  it('stops at once on an image larger than RAM − 3 GiB, as OVH does by Content-Length', async () => {
    const outcome = await verify(
      {
        imageURL: url('/images/raw-big-sparse.img'),
        imageCheckSum: 'a'.repeat(64),
        imageCheckSumType: 'sha256',
      },
      { server: SMALL_RAM_SERVER },
    );
    expect(outcome).toMatchObject({
      kind: 'error',
      body: { code: 'IMAGE_TOO_BIG', predictedMessage: UPSTREAM_MESSAGES.imageTooBigForRam('raw') },
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(images.requests.reduce((sum, r) => sum + r.bytes, 0)).toBeLessThan(8 * 1024 * 1024);
  });

  it('refuses a forbidden host before connecting', async () => {
    const imageURL = url(`/redirect-to?url=${encodeURIComponent('http://10.0.0.1/image.raw')}`);
    const outcome = await verify({
      imageURL,
      imageCheckSum: 'a'.repeat(64),
      imageCheckSumType: 'sha256',
    });
    expect(outcome).toMatchObject({
      kind: 'error',
      body: {
        code: 'PREFLIGHT_REFUSED',
        // OVH would follow the redirect to 10.0.0.1, which leads nowhere from the internet.
        predictedMessage:
          'Could not download image: Failed to connect to 10.0.0.1 port 80: No route to host',
      },
    });
  });

  it('is cancelled by its signal and the download stops', async () => {
    const controller = new AbortController();
    const progress: PreflightProgressEvent[] = [];
    const running = verify(
      {
        imageURL: url('/slow/images/raw-gpt.img'),
        imageCheckSum: 'a'.repeat(64),
        imageCheckSumType: 'sha256',
      },
      { signal: controller.signal, progress },
    );
    await new Promise((r) => setTimeout(r, 400));
    controller.abort();
    expect(await running).toEqual({ kind: 'cancelled' });
    const sent = images.requests[0]?.bytes ?? 0;
    await new Promise((r) => setTimeout(r, 300));
    // The slow route sends 1 MiB/s: nothing more went out after the cancel.
    expect(images.requests[0]?.bytes).toBe(sent);
    expect(sent).toBeLessThan(kit.images['raw-gpt'].size);
    expect(progress.length).toBeGreaterThan(0);
  });

  it('verifies a 2 GiB sparse image with RSS growth under 64 MiB', async () => {
    const image = kit.images['raw-2g-sparse'];
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const outcome = await runVerify(
      {
        imageURL: url(`/images/${image.file}`),
        imageType: 'raw',
        imageCheckSum: image.sha256,
        imageCheckSumType: 'sha256',
      },
      hardwareOf(DEFAULT_SERVER),
      {
        fetch,
        progressIntervalMs: 50,
        onProgress: () => {
          peak = Math.max(peak, process.memoryUsage().rss);
        },
      },
    );
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(outcome).toMatchObject({ kind: 'result', body: { match: true, bytes: 2 * 1024 ** 3 } });
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  }, 120_000);
});
