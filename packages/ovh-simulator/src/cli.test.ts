/** The CLI (`pnpm --filter @byoi/ovh-simulator start`), spawned as the package script runs it. */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import ovh from '@ovhcloud/node-ovh';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER } from './fixtures.ts';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSX = path.join(PACKAGE_DIR, 'node_modules', '.bin', 'tsx');

let child: ChildProcessWithoutNullStreams | undefined;

function startCli(args: string[]): ChildProcessWithoutNullStreams {
  child = spawn(TSX, ['src/cli.ts', ...args], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, PORT: '' },
  });
  return child;
}

function exited(process: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    if (process.exitCode !== null) resolve(process.exitCode);
    else process.once('exit', (code) => resolve(code));
  });
}

/** Collects stdout until `done` says it has what it needs. */
function readUntil(
  process: ChildProcessWithoutNullStreams,
  done: (text: string) => boolean,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    let errors = '';
    process.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (done(text)) resolve(text);
    });
    process.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    process.once('exit', (code) =>
      reject(new Error(`the CLI exited (${code}) before printing its keys: ${errors}`)),
    );
  });
}

function line(text: string, pattern: RegExp): string {
  const match = pattern.exec(text);
  if (!match?.[1]) throw new Error(`no ${String(pattern)} in:\n${text}`);
  return match[1];
}

const scratch = mkdtempSync(path.join(tmpdir(), 'ovh-simulator-cli-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The lines of an env file, as Node's own `--env-file` reads them. */
async function readEnvFile(file: string): Promise<Record<string, string>> {
  const reader = spawn(process.execPath, [
    `--env-file=${file}`,
    '-e',
    `const names = ['SIMULATOR_URL', 'SIMULATOR_CA_FILE', 'OVH_APPLICATION_KEY', 'OVH_APPLICATION_SECRET', 'OVH_CONSUMER_KEY'];
     process.stdout.write(JSON.stringify(Object.fromEntries(names.map((n) => [n, process.env[n]]))));`,
  ]);
  let out = '';
  reader.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  expect(await exited(reader)).toBe(0);
  return JSON.parse(out) as Record<string, string>;
}

afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await exited(child);
  }
  child = undefined;
});

describe('the simulator CLI', () => {
  it('is what the package’s start script runs', () => {
    const manifest = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts.start).toBe('tsx src/cli.ts');
  });

  it('prints a URL, keys and a CA file that the real node-ovh client can use, and stops on SIGTERM', async () => {
    const cli = startCli(['--port', '0', '--clock-speed', '100', '--server-count', '5']);
    const output = await readUntil(cli, (text) => text.includes('Press Ctrl-C'));
    const url = new URL(line(output, /listening on (https:\/\/\S+)/));
    const ca = readFileSync(line(output, /CA certificate:\s+(\S+)/), 'utf8');
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.pathname).toBe('/1.0');

    const previous = https.globalAgent.options.ca;
    https.globalAgent.options.ca = [...tls.rootCertificates, ca];
    try {
      const c = ovh({
        appKey: line(output, /OVH_APPLICATION_KEY=(\S+)/),
        appSecret: line(output, /OVH_APPLICATION_SECRET=(\S+)/),
        consumerKey: line(output, /OVH_CONSUMER_KEY=(\S+)/),
        host: url.hostname,
        port: Number(url.port),
        basePath: url.pathname,
      });
      const servers = (await c.requestPromised('GET', '/dedicated/server')) as string[];
      expect(servers).toContain(DEFAULT_SERVER);
      expect(servers.length).toBeGreaterThanOrEqual(11);
      const task = (await c.requestPromised(
        'POST',
        `/dedicated/server/${DEFAULT_SERVER}/install/start`,
        {
          templateName: 'debian12_64',
        },
      )) as { function: string; status: string };
      expect(task).toMatchObject({ function: 'reinstallServer', status: 'init' });
    } finally {
      https.globalAgent.options.ca = previous;
    }
    cli.kill('SIGTERM');
    expect(await exited(cli)).toBe(0);
  });

  it('writes the CA to --ca-file and what a BFF needs to --write-env (mode 0600), usable as written', async () => {
    const dir = mkdtempSync(path.join(scratch, 'files-'));
    const caFile = path.join(dir, 'certs', 'simulator-ca.pem');
    const envFile = path.join(dir, 'simulator.env');
    const cli = startCli(['--port', '0', '--ca-file', caFile, '--write-env', envFile]);
    const output = await readUntil(cli, (text) => text.includes('Press Ctrl-C'));
    expect(line(output, /CA certificate:\s+(\S+)/)).toBe(caFile);
    expect(output).toContain(`Env file for BFFs:   ${envFile}`);
    expect(statSync(envFile).mode & 0o777).toBe(0o600);

    const env = await readEnvFile(envFile);
    expect(env).toEqual({
      SIMULATOR_URL: line(output, /listening on (https:\/\/\S+)/),
      SIMULATOR_CA_FILE: caFile,
      OVH_APPLICATION_KEY: line(output, /OVH_APPLICATION_KEY=(\S+)/),
      OVH_APPLICATION_SECRET: line(output, /OVH_APPLICATION_SECRET=(\S+)/),
      OVH_CONSUMER_KEY: line(output, /OVH_CONSUMER_KEY=(\S+)/),
    });
    const url = new URL(env.SIMULATOR_URL ?? '');
    const previous = https.globalAgent.options.ca;
    https.globalAgent.options.ca = [...tls.rootCertificates, readFileSync(caFile, 'utf8')];
    try {
      const c = ovh({
        appKey: env.OVH_APPLICATION_KEY ?? '',
        appSecret: env.OVH_APPLICATION_SECRET ?? '',
        consumerKey: env.OVH_CONSUMER_KEY ?? '',
        host: url.hostname,
        port: Number(url.port),
        basePath: url.pathname,
      });
      expect(await c.requestPromised('GET', '/dedicated/server')).toContain(DEFAULT_SERVER);
    } finally {
      https.globalAgent.options.ca = previous;
    }
  });

  it('refuses an empty --write-env path with the usage, exit code 2', async () => {
    const cli = startCli(['--write-env=']);
    let errors = '';
    cli.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    expect(await exited(cli)).toBe(2);
    expect(errors).toContain('--write-env needs a file path.');
    expect(errors).toContain('Usage:');
  });

  it('prints its usage for --help, also after the `--` that `pnpm start -- …` passes', async () => {
    const cli = startCli(['--', '--help']);
    let output = '';
    cli.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    expect(await exited(cli)).toBe(0);
    expect(output).toContain('Usage: pnpm --filter @byoi/ovh-simulator start');
  });

  it('refuses a bad option with what is wrong and the usage, exit code 2', async () => {
    const cli = startCli(['--latency-ms', 'soon']);
    let errors = '';
    cli.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    expect(await exited(cli)).toBe(2);
    expect(errors).toContain('--latency-ms must be a number ≥ 0 (got "soon").');
    expect(errors).toContain('Usage:');
  });
});
