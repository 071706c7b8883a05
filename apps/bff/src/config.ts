/**
 * The BFF's configuration: the only reader of `process.env`. A zod schema turns the environment into
 * a typed object, or a `ConfigError` listing every variable to fix (main.ts prints it and exits).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { InstallRoute } from '@byoi/shared';

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

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface OvhCredentials {
  endpoint: OvhEndpointName;
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
}

export interface SimulatorSettings {
  clockSpeed: number;
  /** 0 = a random free port. */
  port: number;
  latencyMs: number | undefined;
  serverCount: number | undefined;
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
  webDistDir: string;
  dataDir: string;
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
      .default('install-start'),
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
  SIMULATOR_LATENCY_MS: v(int(0, 60_000).optional()),
  SIMULATOR_SERVER_COUNT: v(int(1, 100_000).optional()),
  LOG_LEVEL: v(
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  WEB_DIST_DIR: text(),
  DATA_DIR: text(),
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
  if (given.length > 0 && given.length < CREDENTIAL_VARS.length) {
    const missing = CREDENTIAL_VARS.filter((name) => !given.includes(name));
    problems.push(
      `OVH credentials are incomplete: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. ` +
        'Set all three of OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET and OVH_CONSUMER_KEY for real mode, ' +
        'or none of them to use the built-in simulator.',
    );
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const e = parsed.data;
  const real =
    e.OVH_APPLICATION_KEY !== undefined &&
    e.OVH_APPLICATION_SECRET !== undefined &&
    e.OVH_CONSUMER_KEY !== undefined;
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
    webDistDir: path.resolve(REPO_ROOT, e.WEB_DIST_DIR ?? 'apps/web/dist'),
    dataDir: path.resolve(REPO_ROOT, e.DATA_DIR ?? '.data'),
  };
}
