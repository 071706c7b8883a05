/**
 * `pnpm --filter @byoi/ovh-simulator start [--port N] [--host H] [--clock-speed X]
 * [--latency-ms N] [--server-count N] [--ca-file PATH] [--write-env PATH]`; PORT and HOST are read
 * from the environment too. Prints the URL, the keys and where the CA certificate was written, then
 * runs until Ctrl-C.
 *
 * `--write-env` writes what a BFF needs to use this simulator (SIMULATOR_URL, SIMULATOR_CA_FILE and
 * the three OVH_* keys) as KEY=value lines, mode 0600, once the simulator listens: scripts wait for
 * the file, then start replicas with `node --env-file=PATH` or `set -a; . PATH`.
 */
import { chmodSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from './simulator.ts';

const USAGE =
  'Usage: pnpm --filter @byoi/ovh-simulator start [--port 8443] [--host 127.0.0.1] [--clock-speed 1] [--latency-ms 0] [--server-count 0] [--ca-file ca.pem] [--write-env simulator.env]';

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) {
    console.error(`${name} must be a number ≥ 0 (got "${value}").\n${USAGE}`);
    process.exit(2);
  }
  return parsed;
}

/** A value as both Node's `--env-file` and a POSIX shell read it back unchanged. */
function envValue(value: string): string {
  if (/^[\w./:@%+,=-]*$/.test(value)) return value;
  if (!value.includes("'") && !value.includes('\n')) return `'${value}'`;
  console.error(`Cannot write ${JSON.stringify(value)} to an env file: choose another path.`);
  process.exit(2);
}

/** Written beside its final name, then renamed: a script waiting for the file never reads half. */
function writeWhole(path: string, text: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, text, { mode });
  chmodSync(partial, mode);
  renameSync(partial, path);
}

let values;
try {
  // `pnpm start -- --port 8443` passes the `--` through: skip it.
  const args = process.argv.slice(2);
  ({ values } = parseArgs({
    args: args[0] === '--' ? args.slice(1) : args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'clock-speed': { type: 'string' },
      'latency-ms': { type: 'string' },
      'server-count': { type: 'string' },
      'ca-file': { type: 'string' },
      // Not `--env-file`: Node 20 takes that flag for itself even after the script's name.
      'write-env': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const port = number('--port / PORT', values.port ?? process.env.PORT);
const clockSpeed = number('--clock-speed', values['clock-speed']);
const latencyMs = number('--latency-ms', values['latency-ms']);
const serverCount = number('--server-count', values['server-count']);
const host = values.host ?? process.env.HOST;
for (const option of ['ca-file', 'write-env'] as const) {
  if (values[option] === '') {
    console.error(`--${option} needs a file path.\n${USAGE}`);
    process.exit(2);
  }
}

const sim = await startSimulator({
  ...(port !== undefined ? { port } : {}),
  ...(host ? { host } : {}),
  ...(clockSpeed ? { clockSpeed } : {}),
  ...(latencyMs !== undefined ? { latencyMs } : {}),
  ...(serverCount !== undefined ? { serverCount } : {}),
});
const caPath = values['ca-file']
  ? resolve(values['ca-file'])
  : join(mkdtempSync(join(tmpdir(), 'ovh-simulator-')), 'ca.pem');
// The certificate is public: readable by the replicas whatever user they run as.
writeWhole(caPath, sim.ca, 0o644);
const envPath = values['write-env'] ? resolve(values['write-env']) : null;
if (envPath !== null) {
  const lines = {
    SIMULATOR_URL: sim.url,
    SIMULATOR_CA_FILE: caPath,
    OVH_APPLICATION_KEY: sim.applicationKey,
    OVH_APPLICATION_SECRET: sim.applicationSecret,
    OVH_CONSUMER_KEY: sim.consumerKey,
  };
  const text = Object.entries(lines)
    .map(([name, value]) => `${name}=${envValue(value)}\n`)
    .join('');
  // It holds the application secret and a full-access consumer key.
  writeWhole(envPath, text, 0o600);
}

console.log(`OVH API simulator listening on ${sim.url}
  host:                ${sim.host}
  port:                ${sim.port}
  OVH_APPLICATION_KEY=${sim.applicationKey}
  OVH_APPLICATION_SECRET=${sim.applicationSecret}
  OVH_CONSUMER_KEY=${sim.consumerKey}
  CA certificate:      ${caPath}
  (e.g. NODE_EXTRA_CA_CERTS=${caPath}; admin API under ${sim.url.replace(/\/1\.0$/, '')}/_sim)${
    envPath !== null
      ? `\n  Env file for BFFs:   ${envPath} (SIMULATOR_URL, SIMULATOR_CA_FILE, OVH_*)`
      : ''
  }
Press Ctrl-C to stop.`);

const stop = () => {
  void sim.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
