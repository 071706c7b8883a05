/**
 * The BFF's configuration: the only reader of `process.env`. A zod schema turns the environment into
 * a typed object, or a `ConfigError` listing every variable to fix (main.ts prints it and exits).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import type { InstallRoute } from '@byoi/shared';
import { parsePasswordHash, PasswordHashFormatError } from './auth/password.ts';

/** The endpoint names @ovhcloud/node-ovh 3.0.0 knows (its lib/endpoints.js). */
export const OVH_ENDPOINTS = [
  'ovh-eu',
  'ovh-ca',
  'ovh-us',
  'kimsufi-eu',
  'kimsufi-ca',
  'soyoustart-eu',
  'soyoustart-ca',
] as const;
export type OvhEndpointName = (typeof OVH_ENDPOINTS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The level of the one line per request (5xx are always `error`). */
export const REQUEST_LOG_LEVELS = ['info', 'debug'] as const;
export type RequestLogLevel = (typeof REQUEST_LOG_LEVELS)[number];

/** `auto`: human-readable lines on a terminal, JSON lines otherwise (for log shippers). */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface OvhCredentials {
  endpoint: OvhEndpointName;
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
}

/** A simulator running elsewhere (SIMULATOR_URL), shared by several replicas. */
export interface RemoteSimulator {
  /** e.g. https://127.0.0.1:8443/1.0 */
  url: URL;
  /** The simulator's CA certificate (PEM), read from SIMULATOR_CA_FILE. */
  caFile: string;
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
}

export interface SimulatorSettings {
  /** Set when SIMULATOR_URL is: the BFF then starts no simulator of its own. */
  remote: RemoteSimulator | null;
  clockSpeed: number;
  /** 0 = a random free port. */
  port: number;
  latencyMs: number | undefined;
  serverCount: number | undefined;
}

export interface SessionSettingsConfig {
  /** ≥ 32 bytes; generated per start in simulator mode when SESSION_SECRET is unset. */
  secret: string;
  secretGenerated: boolean;
  idleMinutes: number;
  maxHours: number;
}

export interface UsersSettings {
  /** CONSOLE_USERS_FILE, absolute. */
  file: string | undefined;
  /** CONSOLE_ADMIN_PASSWORD_HASH. With neither, a one-time admin password is generated at start. */
  adminPasswordHash: string | undefined;
}

/** Express's `trust proxy` setting: off, a hop count, or the proxies' addresses/CIDRs/names. */
export type TrustProxy = false | number | string[];

export interface StoreSettings {
  /** PostgreSQL when set (several replicas); PGlite in `DATA_DIR/pglite` otherwise. */
  databaseUrl: string | undefined;
  poolSize: number;
}

export interface Config {
  port: number;
  host: string;
  /** `real` when OVH credentials are configured, else the embedded simulator. */
  mode: 'real' | 'simulator';
  /** Set in real mode only. */
  ovh: OvhCredentials | null;
  simulator: SimulatorSettings;
  installRoute: InstallRoute;
  ovhTimeoutMs: number;
  ovhConcurrency: number;
  serverCacheTtlMs: number;
  logLevel: LogLevel;
  /** LOG_REQUESTS: `debug` by default in simulator mode (a quiet terminal), `info` in real mode. */
  logRequests: RequestLogLevel;
  logFormat: LogFormat;
  /** How often the console asks OVH about each install it started, until the install ends. */
  installWatchIntervalMs: number;
  /** How often each replica looks for webhook deliveries that are due. */
  webhookPollMs: number;
  /** How often each replica moves on the rollouts it drives (and claims unheld ones). */
  rolloutTickMs: number;
  /** How long a replica holds a rollout it drives; a dead replica's pass to another after it. */
  rolloutLeaseMs: number;
  webDistDir: string;
  dataDir: string;
  store: StoreSettings;
  /** SECRETS_KEY, 32 bytes: seals the image library's header values (AES-256-GCM). */
  secretsKey: Buffer | undefined;
  /** Audit entries older than this many days are deleted; 0 keeps them forever. */
  auditRetentionDays: number;
  session: SessionSettingsConfig;
  users: UsersSettings;
  auditLogFile: string;
  trustProxy: TrustProxy;
  /** CIDRs, addresses or host names the preflight may fetch even though they are not public. */
  preflightAllowHosts: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Empty strings count as unset: `FOO= pnpm start` should mean "default", not "invalid". */
const unsetIfEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

/** A comma-separated list; blanks dropped. */
const list = () =>
  v(
    z
      .string()
      .transform((raw) =>
        raw
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== ''),
      )
      .optional(),
  );

const HOST_NAME_RULE =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function isAddressOrCidr(entry: string): boolean {
  if (entry.includes('/')) {
    try {
      ipaddr.parseCIDR(entry);
      return true;
    } catch {
      return false;
    }
  }
  return ipaddr.isValid(entry);
}

const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Wraps a variable's schema so that an empty value means "unset" (and so takes the default). */
const v = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfEmpty, schema);

const text = () => v(z.string().trim().min(1).optional());

const envSchema = z.object({
  PORT: v(int(0, 65535).default(8080)),
  HOST: v(z.string().trim().min(1).default('127.0.0.1')),
  OVH_ENDPOINT: v(
    z
      .enum(OVH_ENDPOINTS, { error: `must be one of ${OVH_ENDPOINTS.join(', ')}` })
      .default('ovh-eu'),
  ),
  OVH_APPLICATION_KEY: text(),
  OVH_APPLICATION_SECRET: text(),
  OVH_CONSUMER_KEY: text(),
  OVH_INSTALL_ROUTE: v(
    z
      .enum(['install-start', 'reinstall'], { error: 'must be install-start or reinstall' })
      .default('reinstall'),
  ),
  OVH_TIMEOUT_MS: v(int(100, 600_000).default(10_000)),
  OVH_CONCURRENCY: v(int(1, 256).default(16)),
  SERVER_CACHE_TTL_MS: v(int(0, 3_600_000).default(5_000)),
  SIMULATOR_CLOCK_SPEED: v(
    z.coerce
      .number({ error: 'must be a number' })
      .positive({ error: 'must be greater than 0' })
      .max(100_000, { error: 'must be at most 100000' })
      .default(10),
  ),
  SIMULATOR_PORT: v(int(0, 65535).default(0)),
  SIMULATOR_URL: text(),
  SIMULATOR_CA_FILE: text(),
  DATABASE_URL: v(
    z
      .string()
      .trim()
      .refine(
        (url) => {
          try {
            return ['postgres:', 'postgresql:'].includes(new URL(url).protocol);
          } catch {
            return false;
          }
        },
        // Never the value: it holds a password.
        { error: 'must be a PostgreSQL URL such as postgres://user:password@host:5432/database' },
      )
      .optional(),
  ),
  DATABASE_POOL_SIZE: v(int(1, 200).default(10)),
  SECRETS_KEY: text(),
  AUDIT_RETENTION_DAYS: v(int(0, 36_500).default(365)),
  SIMULATOR_LATENCY_MS: v(int(0, 60_000).optional()),
  SIMULATOR_SERVER_COUNT: v(int(1, 100_000).optional()),
  LOG_LEVEL: v(
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  LOG_REQUESTS: v(
    z
      .enum(REQUEST_LOG_LEVELS, { error: `must be one of ${REQUEST_LOG_LEVELS.join(', ')}` })
      .optional(),
  ),
  LOG_FORMAT: v(
    z.enum(LOG_FORMATS, { error: `must be one of ${LOG_FORMATS.join(', ')}` }).default('auto'),
  ),
  INSTALL_WATCH_INTERVAL_MS: v(int(10, 3_600_000).default(10_000)),
  WEBHOOK_POLL_MS: v(int(10, 600_000).default(1_000)),
  ROLLOUT_TICK_MS: v(int(10, 600_000).default(2_000)),
  ROLLOUT_LEASE_MS: v(int(100, 3_600_000).default(30_000)),
  WEB_DIST_DIR: text(),
  DATA_DIR: text(),
  SESSION_SECRET: text(),
  SESSION_IDLE_MINUTES: v(int(1, 24 * 60).default(30)),
  SESSION_MAX_HOURS: v(int(1, 24 * 30).default(12)),
  CONSOLE_USERS_FILE: text(),
  CONSOLE_ADMIN_PASSWORD_HASH: text(),
  AUDIT_LOG_FILE: text(),
  TRUST_PROXY: list(),
  PREFLIGHT_ALLOW_HOSTS: list(),
});

const CREDENTIAL_VARS = [
  'OVH_APPLICATION_KEY',
  'OVH_APPLICATION_SECRET',
  'OVH_CONSUMER_KEY',
] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.');
      // Never echo the value: some of these variables are secrets.
      problems.push(`${name} ${issue.message}.`);
    }
  }
  const given = CREDENTIAL_VARS.filter((name) => unsetIfEmpty(env[name]) !== undefined);
  const sharedSimulator = unsetIfEmpty(env.SIMULATOR_URL) !== undefined;
  if (!sharedSimulator && given.length > 0 && given.length < CREDENTIAL_VARS.length) {
    const missing = CREDENTIAL_VARS.filter((name) => !given.includes(name));
    problems.push(
      `OVH credentials are incomplete: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. ` +
        'Set all three of OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET and OVH_CONSUMER_KEY for real mode, ' +
        'or none of them to use the built-in simulator.',
    );
  }
  problems.push(...remoteSimulatorProblems(env));
  // Renewed once a round: a lease no longer than a round would lapse while its driver lives.
  if (parsed.success && parsed.data.ROLLOUT_LEASE_MS <= 2 * parsed.data.ROLLOUT_TICK_MS) {
    problems.push('ROLLOUT_LEASE_MS must be more than twice ROLLOUT_TICK_MS.');
  }
  const real = given.length === CREDENTIAL_VARS.length && !sharedSimulator;
  // These variables cannot fail to parse, so their checks run even when others are invalid.
  const security = securitySchema.safeParse(env);
  if (security.success) problems.push(...securityProblems(security.data, real));
  const rawKey = unsetIfEmpty(env.SECRETS_KEY);
  const secretsKey = typeof rawKey === 'string' ? parseSecretsKey(rawKey.trim()) : undefined;
  if (secretsKey === null) {
    problems.push(
      'SECRETS_KEY must be 32 random bytes, written as 64 hex digits or in base64 ' +
        '(e.g. the output of `openssl rand -base64 32`). Give every replica the same value.',
    );
  }
  if (problems.length > 0 || !parsed.success || secretsKey === null)
    throw new ConfigError(problems);

  const e = parsed.data;
  const dataDir = path.resolve(REPO_ROOT, e.DATA_DIR ?? '.data');
  return {
    port: e.PORT,
    host: e.HOST,
    mode: real ? 'real' : 'simulator',
    ovh: real
      ? {
          endpoint: e.OVH_ENDPOINT,
          applicationKey: e.OVH_APPLICATION_KEY!,
          applicationSecret: e.OVH_APPLICATION_SECRET!,
          consumerKey: e.OVH_CONSUMER_KEY!,
        }
      : null,
    simulator: {
      remote:
        e.SIMULATOR_URL !== undefined
          ? {
              url: new URL(e.SIMULATOR_URL),
              caFile: path.resolve(e.SIMULATOR_CA_FILE!),
              applicationKey: e.OVH_APPLICATION_KEY!,
              applicationSecret: e.OVH_APPLICATION_SECRET!,
              consumerKey: e.OVH_CONSUMER_KEY!,
            }
          : null,
      clockSpeed: e.SIMULATOR_CLOCK_SPEED,
      port: e.SIMULATOR_PORT,
      latencyMs: e.SIMULATOR_LATENCY_MS,
      serverCount: e.SIMULATOR_SERVER_COUNT,
    },
    installRoute: e.OVH_INSTALL_ROUTE,
    ovhTimeoutMs: e.OVH_TIMEOUT_MS,
    ovhConcurrency: e.OVH_CONCURRENCY,
    serverCacheTtlMs: e.SERVER_CACHE_TTL_MS,
    logLevel: e.LOG_LEVEL,
    logRequests: e.LOG_REQUESTS ?? (real ? 'info' : 'debug'),
    logFormat: e.LOG_FORMAT,
    installWatchIntervalMs: e.INSTALL_WATCH_INTERVAL_MS,
    webhookPollMs: e.WEBHOOK_POLL_MS,
    rolloutTickMs: e.ROLLOUT_TICK_MS,
    rolloutLeaseMs: e.ROLLOUT_LEASE_MS,
    webDistDir: path.resolve(REPO_ROOT, e.WEB_DIST_DIR ?? 'apps/web/dist'),
    dataDir,
    store: { databaseUrl: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE },
    secretsKey,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    session: {
      secret: e.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
      secretGenerated: e.SESSION_SECRET === undefined,
      idleMinutes: e.SESSION_IDLE_MINUTES,
      maxHours: e.SESSION_MAX_HOURS,
    },
    users: {
      file: e.CONSOLE_USERS_FILE === undefined ? undefined : path.resolve(e.CONSOLE_USERS_FILE),
      adminPasswordHash: e.CONSOLE_ADMIN_PASSWORD_HASH,
    },
    auditLogFile: path.resolve(dataDir, e.AUDIT_LOG_FILE ?? 'audit.log'),
    trustProxy: toTrustProxy(e.TRUST_PROXY),
    preflightAllowHosts: e.PREFLIGHT_ALLOW_HOSTS ?? [],
  };
}

/** 32 bytes from 64 hex digits or base64 (either alphabet); null when it is neither. */
function parseSecretsKey(text: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}={0,2}$/.test(text)) return null;
  const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === 32 ? key : null;
}

/**
 * SIMULATOR_URL points the console at a simulator started elsewhere (its CLI prints the URL, the
 * three keys and the CA file): all of them are needed, and the URL must be the simulator's HTTPS
 * API root on this machine.
 */
function remoteSimulatorProblems(env: NodeJS.ProcessEnv): string[] {
  const url = unsetIfEmpty(env.SIMULATOR_URL);
  const ca = unsetIfEmpty(env.SIMULATOR_CA_FILE);
  if (url === undefined) {
    return ca === undefined
      ? []
      : [
          'SIMULATOR_CA_FILE is set without SIMULATOR_URL: set both to use a running simulator, or neither.',
        ];
  }
  const problems: string[] = [];
  let parsed: URL | null = null;
  try {
    parsed = new URL(typeof url === 'string' ? url : '');
  } catch {
    problems.push(
      'SIMULATOR_URL is not a URL: give the one the simulator prints, e.g. https://127.0.0.1:8443/1.0.',
    );
  }
  if (parsed && (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.search !== '')) {
    problems.push(
      'SIMULATOR_URL must be an https:// URL without user or query, e.g. https://127.0.0.1:8443/1.0 (node-ovh speaks HTTPS only).',
    );
  }
  if (ca === undefined) {
    problems.push(
      "SIMULATOR_CA_FILE is required with SIMULATOR_URL: the path of the CA certificate the simulator's CLI printed.",
    );
  }
  const missing = CREDENTIAL_VARS.filter((name) => unsetIfEmpty(env[name]) === undefined);
  if (missing.length > 0) {
    problems.push(
      `SIMULATOR_URL needs the keys the simulator printed: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing.`,
    );
  }
  return problems;
}

/**
 * What the console says once at start about its configuration, when there is something an
 * operator must know: OVH decommissioned the seed's install route, so a real account may refuse it.
 */
export function startupNotices(config: Config): string[] {
  if (config.mode === 'real' && config.installRoute === 'install-start') {
    return [
      'OVH_INSTALL_ROUTE=install-start: OVH decommissioned POST /dedicated/server/{sn}/install/start ' +
        'together with personal templates on 7 October 2025, so OVH may refuse installs sent this way. ' +
        'Unset OVH_INSTALL_ROUTE to use its successor, POST /dedicated/server/{sn}/reinstall.',
    ];
  }
  return [];
}

const securitySchema = envSchema.pick({
  SESSION_SECRET: true,
  CONSOLE_USERS_FILE: true,
  CONSOLE_ADMIN_PASSWORD_HASH: true,
  TRUST_PROXY: true,
  PREFLIGHT_ALLOW_HOSTS: true,
});
type SecurityEnv = z.infer<typeof securitySchema>;

/** Checks of the sign-in, session, proxy and allow-list variables, as sentences to act on. */
function securityProblems(e: SecurityEnv, real: boolean): string[] {
  const problems: string[] = [];
  if (e.SESSION_SECRET === undefined && real) {
    problems.push(
      'SESSION_SECRET is required with OVH credentials (real mode): set it to at least 32 random bytes, ' +
        'e.g. the output of `openssl rand -base64 48`, and give every replica the same value.',
    );
  }
  if (e.SESSION_SECRET !== undefined && Buffer.byteLength(e.SESSION_SECRET, 'utf8') < 32) {
    problems.push(
      'SESSION_SECRET is too short: it must be at least 32 bytes. Generate one with `openssl rand -base64 48`.',
    );
  }
  if (e.CONSOLE_USERS_FILE !== undefined && e.CONSOLE_ADMIN_PASSWORD_HASH !== undefined) {
    problems.push(
      'CONSOLE_USERS_FILE and CONSOLE_ADMIN_PASSWORD_HASH are both set: keep only one ' +
        '(put the admin in the users file if you need several users).',
    );
  }
  if (e.CONSOLE_ADMIN_PASSWORD_HASH !== undefined) {
    try {
      parsePasswordHash(e.CONSOLE_ADMIN_PASSWORD_HASH);
    } catch (error) {
      if (!(error instanceof PasswordHashFormatError)) throw error;
      problems.push(
        `CONSOLE_ADMIN_PASSWORD_HASH ${error.message} Make one with \`corepack pnpm --filter @byoi/bff hash-password\`.`,
      );
    }
  }
  for (const entry of e.TRUST_PROXY ?? []) {
    const valid =
      TRUST_PROXY_NAMES.has(entry) || isAddressOrCidr(entry) || /^(false|\d{1,2})$/.test(entry);
    if (!valid) {
      problems.push(
        `TRUST_PROXY entry "${entry.slice(0, 100)}" is not understood: use false, a number of proxy hops (e.g. 1), ` +
          'or a comma-separated list of proxy addresses/CIDRs and the names loopback, linklocal, uniquelocal.',
      );
    }
  }
  const trust = e.TRUST_PROXY ?? [];
  if (trust.length > 1 && trust.some((entry) => /^(false|\d{1,2})$/.test(entry))) {
    problems.push(
      'TRUST_PROXY: false or a hop count must be given alone, not in a list with addresses.',
    );
  }
  for (const entry of e.PREFLIGHT_ALLOW_HOSTS ?? []) {
    if (!isAddressOrCidr(entry) && !HOST_NAME_RULE.test(entry)) {
      problems.push(
        `PREFLIGHT_ALLOW_HOSTS entry "${entry.slice(0, 100)}" is neither a CIDR (10.0.0.0/8), an IP address ` +
          'nor a host name. Separate entries with commas.',
      );
    }
  }
  return problems;
}

function toTrustProxy(entries: string[] | undefined): TrustProxy {
  if (entries === undefined) return ['loopback'];
  const [only] = entries;
  if (entries.length === 1 && only === 'false') return false;
  if (entries.length === 1 && only !== undefined && /^\d{1,2}$/.test(only)) return Number(only);
  return entries;
}
