/** Starts the BFF: config → OVH connection → app → listen. Stops cleanly on SIGINT/SIGTERM. */
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger } from './logger.ts';
import { connectOvh } from './ovh/connect.ts';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error('BYOI Console cannot start. Fix these environment variables:');
      for (const problem of error.problems) console.error(`  - ${problem}`);
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
const logger = createLogger({ level: config.logLevel });
const connection = await connectOvh(config);
const app = createApp({ config, ovh: connection.api, logger });

const server = app.listen(config.port, config.host, () => {
  const { port } = server.address() as AddressInfo;
  logger.info(
    {
      url: `http://${config.host}:${port}`,
      mode: config.mode,
      endpoint: config.ovh?.endpoint ?? 'simulator',
      installRoute: config.installRoute,
    },
    'BYOI Console listening',
  );
});

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  server.close(() => {
    connection.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  server.closeAllConnections();
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
