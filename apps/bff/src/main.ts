/** Starts the BFF: config → OVH connection → app → listen. Stops cleanly on SIGINT/SIGTERM. */
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { UserDirectory, UsersConfigError } from './auth/users.ts';
import { ConfigError, loadConfig, startupNotices, type Config } from './config.ts';
import { createHttpServer } from './httpServer.ts';
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

async function readUsers(config: Config) {
  try {
    return await UserDirectory.load({
      usersFile: config.users.file,
      adminPasswordHash: config.users.adminPasswordHash,
    });
  } catch (error) {
    if (error instanceof UsersConfigError) {
      console.error('BYOI Console cannot start. Fix the console users:');
      for (const problem of error.problems) console.error(`  - ${problem}`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Printed once, on the console, never through the JSON log stream: the password exists only in this
 * process's memory and on this terminal.
 */
function printOneTimeAdmin(password: string, url: string): void {
  const lines = [
    '',
    '================================================================',
    ' BYOI Console: no users configured, a one-time admin was created.',
    ` Sign in at ${url} with`,
    '   Username: admin',
    `   Password: ${password}`,
    ' It changes at every start. For lasting users, set CONSOLE_USERS_FILE',
    ' or CONSOLE_ADMIN_PASSWORD_HASH (see README, "Configuration").',
    '================================================================',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

const config = readConfig();
const logger = createLogger({ level: config.logLevel });
const { directory, oneTimeAdminPassword } = await readUsers(config);
const connection = await connectOvh(config);
const app = createApp({ config, ovh: connection.api, logger, directory });

const server = createHttpServer(app).listen(config.port, config.host, () => {
  const { port } = server.address() as AddressInfo;
  const shownHost =
    config.host === '127.0.0.1' || config.host === '0.0.0.0' ? 'localhost' : config.host;
  if (oneTimeAdminPassword !== null)
    printOneTimeAdmin(oneTimeAdminPassword, `http://${shownHost}:${port}`);
  logger.info(
    {
      url: `http://${config.host}:${port}`,
      mode: config.mode,
      endpoint: config.ovh?.endpoint ?? 'simulator',
      installRoute: config.installRoute,
      users: config.users.file
        ? 'file'
        : config.users.adminPasswordHash
          ? 'admin-hash'
          : 'one-time-admin',
      auditLog: config.auditLogFile,
      sessionSecret: config.session.secretGenerated ? 'generated for this start' : 'configured',
    },
    'BYOI Console listening',
  );
  for (const notice of startupNotices(config)) logger.warn(notice);
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
