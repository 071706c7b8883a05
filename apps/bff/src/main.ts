/**
 * Starts the BFF: config → OVH connection → app → listen, then a banner with the address it really
 * listens on. Stops cleanly on SIGINT/SIGTERM; SIGUSR2 prints a new one-time admin password.
 */
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { AuditLog } from './audit/auditLog.ts';
import { importLegacyAuditFile } from './audit/legacyImport.ts';
import { UserDirectory, UsersConfigError } from './auth/users.ts';
import { ConfigError, loadConfig, startupNotices, type Config } from './config.ts';
import { createHttpServer } from './httpServer.ts';
import { createLogger, usePretty } from './logger.ts';
import { connectOvh, OvhConnectError, type OvhConnection } from './ovh/connect.ts';
import { syncDirectory } from './store/sessionEpochs.ts';
import { openStore, StoreError, type Store } from './store/store.ts';

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

async function readStore(config: Config): Promise<Store> {
  try {
    return await openStore({
      databaseUrl: config.store.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.store.poolSize,
    });
  } catch (error) {
    if (error instanceof StoreError) {
      console.error(`BYOI Console cannot start. ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

async function readConnection(config: Config): Promise<OvhConnection> {
  try {
    return await connectOvh(config);
  } catch (error) {
    if (error instanceof OvhConnectError) {
      console.error(`BYOI Console cannot start. ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

function modeLine(config: Config): string {
  if (config.mode === 'real') return `real mode: ${config.ovh?.endpoint ?? ''}`;
  const remote = config.simulator.remote;
  return remote
    ? `simulator mode: the shared OVH API simulator at ${remote.url.toString()}`
    : 'simulator mode: the built-in OVH API simulator';
}

const RULE = '================================================================';

/**
 * Written to the terminal directly, never through the logger: a one-time password in it exists
 * only in this process's memory and on this terminal, not in the log stream.
 */
function printBlock(lines: string[]): void {
  process.stdout.write(`\n${RULE}\n${lines.join('\n')}\n${RULE}\n\n`);
}

function urlOf(address: string, port: number, scheme = 'http'): string {
  return `${scheme}://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const ANY = new Set(['0.0.0.0', '::']);

/** Where a person opens the console, and who else can reach it, from the bound address. */
function reach(bound: AddressInfo): { open: string; who: string } {
  if (ANY.has(bound.address)) {
    return {
      open: urlOf(bound.family === 'IPv6' ? '::1' : '127.0.0.1', bound.port),
      who: `It listens on all interfaces (${bound.address}): other machines reach it at this machine's addresses, port ${bound.port}.`,
    };
  }
  if (LOOPBACK.test(bound.address)) {
    return {
      open: urlOf(bound.address, bound.port),
      who: `It listens on ${bound.address} only: open it from this machine (HOST sets the address).`,
    };
  }
  return {
    open: urlOf(bound.address, bound.port),
    who: `It listens on ${bound.address} only (HOST).`,
  };
}

function renewHint(): string {
  return ` For a new one without a restart: kill -USR2 ${process.pid}`;
}

function banner(
  config: Config,
  store: Store,
  bound: AddressInfo,
  simulatorAdmin: string | null,
  password: string | null,
): string[] {
  const { open, who } = reach(bound);
  const lines = [` BYOI Console is running (${modeLine(config)}).`, `   Open ${open}`, `   ${who}`];
  lines.push(
    store.kind === 'pglite'
      ? `   Store: embedded (PGlite) in ${store.location}; one process only, DATABASE_URL for replicas.`
      : `   Store: PostgreSQL at ${store.location}.`,
  );
  if (simulatorAdmin !== null) {
    lines.push(
      `   Simulator admin API: ${simulatorAdmin} (this machine only; self-signed`,
      `   certificate: curl -k ${simulatorAdmin}/requests)`,
    );
  }
  if (password !== null) {
    lines.push(
      ' No users configured, so a one-time admin was created:',
      '   Username: admin',
      `   Password: ${password}`,
      ` It changes at every start.${renewHint()}`,
      ' For lasting users, set CONSOLE_USERS_FILE or CONSOLE_ADMIN_PASSWORD_HASH',
      ' (see README, "Configuration").',
    );
  }
  if (
    config.logRequests === 'debug' &&
    config.logLevel !== 'debug' &&
    config.logLevel !== 'trace'
  ) {
    lines.push(' Requests are logged at debug level: LOG_LEVEL=debug shows them.');
  }
  return lines;
}

const config = readConfig();
const logger = createLogger({
  level: config.logLevel,
  pretty: usePretty(config.logFormat, process.stdout.isTTY),
});
const { directory, oneTimeAdminPassword } = await readUsers(config);
const store = await readStore(config);
// The audit file of a console that ran before the store: its entries move into the store once.
await importLegacyAuditFile(store, config.auditLogFile, logger);
const connection = await readConnection(config);
const shutdown = new AbortController();
const audit = new AuditLog(store, logger);
const app = createApp({
  config,
  ovh: connection.api,
  logger,
  store,
  directory,
  audit,
  shutdown: shutdown.signal,
});

const server = createHttpServer(app).listen(config.port, config.host, () => {
  const bound = server.address() as AddressInfo;
  const simulatorAdmin = connection.simulatorAdminUrl;
  printBlock(banner(config, store, bound, simulatorAdmin, oneTimeAdminPassword));
  logger.info(
    {
      url: urlOf(bound.address, bound.port),
      mode: config.mode,
      endpoint: config.ovh?.endpoint ?? 'simulator',
      ...(simulatorAdmin !== null ? { simulatorAdmin } : {}),
      installRoute: config.installRoute,
      users: config.users.file
        ? 'file'
        : config.users.adminPasswordHash
          ? 'admin-hash'
          : 'one-time-admin',
      store: store.kind,
      storeLocation: store.location,
      auditRetentionDays: config.auditRetentionDays,
      sessionSecret: config.session.secretGenerated ? 'generated for this start' : 'configured',
      logRequests: config.logRequests,
    },
    'BYOI Console listening',
  );
  for (const notice of startupNotices(config)) logger.warn(notice);
});

async function renewPassword(): Promise<void> {
  const password = await directory.renewOneTimeAdmin();
  if (password === null) {
    process.stdout.write(
      'SIGUSR2: the console users come from CONSOLE_USERS_FILE or CONSOLE_ADMIN_PASSWORD_HASH; there is no one-time password to renew.\n',
    );
    return;
  }
  // A new credential: the admin's sessions end on every replica, not only by this one's seal check.
  await syncDirectory(store, directory, new Date()).catch((error: unknown) => {
    logger.error(
      { err: { message: String(error) } },
      'could not record the new one-time password in the store; sessions made with the old one end here only',
    );
  });
  printBlock([
    ' A new one-time admin password (the previous one and its sessions no longer work):',
    '   Username: admin',
    `   Password: ${password}`,
    renewHint(),
  ]);
  logger.info('one-time admin password renewed; it is printed on the terminal only');
}

/** How long SIGTERM waits for requests in flight before it closes their connections. */
const SHUTDOWN_GRACE_MS = 10_000;

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  shutdown.abort();
  // New connections are refused at once; requests in flight get their answers (and their audit
  // entries) for up to SHUTDOWN_GRACE_MS, then what is left is cut.
  server.close(() => {
    clearTimeout(cut);
    // The background work ends first (its writes, the open refusal counts and every audit entry
    // reach the store), then OVH's connection, then the store: nothing is cut mid-query.
    app
      .stopWork()
      .then(() => Promise.all([audit.close(), connection.close()]))
      .then(() => store.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
  server.closeIdleConnections();
  const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
  cut.unref();
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGUSR2', () => {
  renewPassword().catch((error: unknown) => {
    logger.error({ err: { message: String(error) } }, 'could not renew the one-time password');
  });
});
