/**
 * The measurement hook for the benchmarks: the streamed "Verify checksum" (the same guarded client
 * and `verifyChecksum` the route uses) timed on one URL, and `sha256sum`-style tools timed on the
 * same file on disk, so bench/ can report the preflight's throughput against the coreutils baseline.
 */
import { spawn } from 'node:child_process';
import type { ChecksumType } from '@byoi/shared';
import { createPreflightFetch } from './preflightFetch.ts';
import { verifyChecksum } from './verifyChecksum.ts';

export interface ChecksumTiming {
  checksum: string;
  bytes: number;
  seconds: number;
  bytesPerSecond: number;
}

export interface StreamedChecksumOptions {
  url: string;
  type: ChecksumType;
  /** Loopback is allowed by default: benchmarks serve the image locally. */
  allowLoopback?: boolean;
  allowHosts?: string[];
  headers?: { name: string; value: string }[];
}

/** Downloads `url` once through the preflight's guarded client and hashes it as it streams. */
export async function timeStreamedChecksum(
  options: StreamedChecksumOptions,
): Promise<ChecksumTiming> {
  const fetch = createPreflightFetch({
    mode: options.allowLoopback === false ? 'real' : 'simulator',
    preflightAllowHosts: options.allowHosts ?? [],
  });
  const started = process.hrtime.bigint();
  const result = await verifyChecksum({
    fetch,
    url: options.url,
    type: options.type,
    maxBytes: Number.MAX_SAFE_INTEGER,
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    checksum: result.checksum,
    bytes: result.bytes,
    seconds,
    bytesPerSecond: seconds > 0 ? result.bytes / seconds : 0,
  };
}

/** Runs `<type>sum <file>` (coreutils) and times it: the baseline a person would compare with. */
export async function timeCoreutilsChecksum(
  file: string,
  type: ChecksumType,
  bytes: number,
): Promise<ChecksumTiming> {
  const started = process.hrtime.bigint();
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(`${type}sum`, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${type}sum exited ${code}: ${err.trim()}`)),
    );
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    checksum: output.split(/\s/)[0] ?? '',
    bytes,
    seconds,
    bytesPerSecond: seconds > 0 ? bytes / seconds : 0,
  };
}
