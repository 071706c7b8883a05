/**
 * `pnpm --filter @byoi/ovh-simulator start [--port N] [--host H] [--clock-speed X]
 * [--latency-ms N] [--server-count N]`; PORT and HOST are read from the environment too.
 * Prints the URL, the keys and where the CA certificate was written, then runs until Ctrl-C.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from './simulator.ts';

const USAGE =
  'Usage: pnpm --filter @byoi/ovh-simulator start [--port 8443] [--host 127.0.0.1] [--clock-speed 1] [--latency-ms 0] [--server-count 0]';

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) {
    console.error(`${name} must be a number ≥ 0 (got "${value}").\n${USAGE}`);
    process.exit(2);
  }
  return parsed;
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

const sim = await startSimulator({
  ...(port !== undefined ? { port } : {}),
  ...(host ? { host } : {}),
  ...(clockSpeed ? { clockSpeed } : {}),
  ...(latencyMs !== undefined ? { latencyMs } : {}),
  ...(serverCount !== undefined ? { serverCount } : {}),
});
const caPath = join(mkdtempSync(join(tmpdir(), 'ovh-simulator-')), 'ca.pem');
writeFileSync(caPath, sim.ca);

console.log(`OVH API simulator listening on ${sim.url}
  host:                ${sim.host}
  port:                ${sim.port}
  OVH_APPLICATION_KEY=${sim.applicationKey}
  OVH_APPLICATION_SECRET=${sim.applicationSecret}
  OVH_CONSUMER_KEY=${sim.consumerKey}
  CA certificate:      ${caPath}
  (e.g. NODE_EXTRA_CA_CERTS=${caPath}; admin API under ${sim.url.replace(/\/1\.0$/, '')}/_sim)
Press Ctrl-C to stop.`);

const stop = () => {
  void sim.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
