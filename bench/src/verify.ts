/**
 * Preflight "Verify checksum" against `sha256sum` on the same file: the preflight streams the
 * file over loopback HTTP from the image server the e2e tests use, hashing as it goes.
 */
import { execFile } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { timeCoreutilsChecksum } from '../../apps/bff/src/preflight/measureChecksum.ts';
import { startImageServer } from '@byoi/test-kit';
import { atLeast, atMost, BUDGETS, type Measurement } from './budgets.ts';
import { BENCH_DIR } from './paths.ts';
import { round } from './stats.ts';

const run = promisify(execFile);
const MIB = 1024 * 1024;

export interface VerifyOptions {
  sizeMiB: number;
  rounds: number;
}

async function writeImage(file: string, sizeMiB: number): Promise<void> {
  const block = Buffer.alloc(MIB);
  const handle = await open(file, 'w');
  try {
    for (let i = 0; i < sizeMiB; i++) {
      randomFillSync(block);
      await handle.write(block);
    }
  } finally {
    await handle.close();
  }
}

interface WorkerResult {
  checksum: string;
  bytes: number;
  seconds: number;
  rssBefore: number;
  rssPeak: number;
}

async function verifyInWorker(url: string): Promise<WorkerResult> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', path.join(BENCH_DIR, 'src/verifyWorker.ts'), url],
    { cwd: BENCH_DIR, maxBuffer: MIB },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as WorkerResult;
}

export async function measureVerify(o: VerifyOptions): Promise<Measurement[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'byoi-bench-verify-'));
  const server = await startImageServer({ dir });
  try {
    const name = 'bench.raw';
    const file = path.join(dir, name);
    await writeImage(file, o.sizeMiB);
    const bytes = o.sizeMiB * MIB;
    const url = `${server.url}/images/${name}`;
    // Best of a few alternating rounds for both: the machine is shared, the best is the least disturbed.
    let bestSum = Number.POSITIVE_INFINITY;
    let bestVerify = Number.POSITIVE_INFINITY;
    let rssGrowth = 0;
    for (let i = 0; i < o.rounds; i++) {
      const sum = await timeCoreutilsChecksum(file, 'sha256', bytes);
      const verified = await verifyInWorker(url);
      if (verified.checksum !== sum.checksum || verified.bytes !== bytes) {
        throw new Error(
          `The preflight hashed ${verified.bytes} bytes to ${verified.checksum}; sha256sum says ${sum.checksum} for ${bytes}.`,
        );
      }
      bestSum = Math.min(bestSum, sum.seconds);
      bestVerify = Math.min(bestVerify, verified.seconds);
      rssGrowth = Math.max(rssGrowth, verified.rssPeak - verified.rssBefore);
    }
    const sumRate = bytes / MIB / bestSum;
    const verifyRate = bytes / MIB / bestVerify;
    return [
      {
        id: 'verify.throughputRatio',
        label: 'Preflight verify vs sha256sum',
        value: round((verifyRate / sumRate) * 100, 0),
        unit: '%',
        budget: atLeast(BUDGETS.verifyThroughputRatio * 100),
        detail: `${round(verifyRate, 0)} vs ${round(sumRate, 0)} MiB/s on ${o.sizeMiB} MiB, best of ${o.rounds}`,
      },
      {
        id: 'verify.rssGrowth',
        label: 'Preflight verify: RSS growth',
        value: round(rssGrowth / MIB),
        unit: 'MiB',
        budget: atMost(BUDGETS.verifyRssGrowthBytes / MIB, false),
        detail: `peak over the worker's RSS before the download`,
      },
    ];
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
