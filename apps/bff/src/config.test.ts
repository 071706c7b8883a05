import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to simulator mode with documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      mode: 'simulator',
      ovh: null,
      installRoute: 'install-start',
      ovhTimeoutMs: 10_000,
      ovhConcurrency: 16,
      serverCacheTtlMs: 5_000,
      logLevel: 'info',
      simulator: { clockSpeed: 10, port: 0, latencyMs: undefined, serverCount: undefined },
    });
    expect(config.webDistDir.endsWith(path.join('apps', 'web', 'dist'))).toBe(true);
    expect(path.basename(config.dataDir)).toBe('.data');
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      OVH_ENDPOINT: 'ovh-ca',
      OVH_APPLICATION_KEY: 'ak',
      OVH_APPLICATION_SECRET: 'as',
      OVH_CONSUMER_KEY: 'ck',
      OVH_INSTALL_ROUTE: 'reinstall',
      OVH_TIMEOUT_MS: '2500',
      OVH_CONCURRENCY: '4',
      SERVER_CACHE_TTL_MS: '0',
      SIMULATOR_CLOCK_SPEED: '100',
      SIMULATOR_PORT: '8443',
      SIMULATOR_LATENCY_MS: '20',
      SIMULATOR_SERVER_COUNT: '500',
      LOG_LEVEL: 'debug',
      WEB_DIST_DIR: '/srv/web',
      DATA_DIR: '/var/lib/byoi',
    });
    expect(config).toEqual({
      port: 9000,
      host: '0.0.0.0',
      mode: 'real',
      ovh: { endpoint: 'ovh-ca', applicationKey: 'ak', applicationSecret: 'as', consumerKey: 'ck' },
      installRoute: 'reinstall',
      ovhTimeoutMs: 2500,
      ovhConcurrency: 4,
      serverCacheTtlMs: 0,
      simulator: { clockSpeed: 100, port: 8443, latencyMs: 20, serverCount: 500 },
      logLevel: 'debug',
      webDistDir: '/srv/web',
      dataDir: '/var/lib/byoi',
    });
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', OVH_APPLICATION_KEY: ' ' }).port).toBe(8080);
  });

  it('names the missing credentials when only some are set', () => {
    const problems = problemsOf({ OVH_APPLICATION_KEY: 'ak' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY are missing');
    expect(problemsOf({ OVH_APPLICATION_KEY: 'ak', OVH_APPLICATION_SECRET: 'x' })[0]).toContain(
      'OVH_CONSUMER_KEY is missing',
    );
  });

  it('lists every invalid variable at once, without echoing values', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      OVH_ENDPOINT: 'ovh-mars',
      OVH_INSTALL_ROUTE: 'format-c',
      OVH_CONCURRENCY: '0',
      LOG_LEVEL: 'loud',
      SIMULATOR_CLOCK_SPEED: '-1',
      OVH_CONSUMER_KEY: 'super-secret-ck',
    });
    const text = problems.join('\n');
    expect(text).toContain('PORT must be a whole number');
    expect(text).toContain('OVH_ENDPOINT must be one of ovh-eu, ovh-ca, ovh-us');
    expect(text).toContain('OVH_INSTALL_ROUTE must be install-start or reinstall');
    expect(text).toContain('OVH_CONCURRENCY must be at least 1');
    expect(text).toContain('LOG_LEVEL must be one of');
    expect(text).toContain('SIMULATOR_CLOCK_SPEED must be greater than 0');
    expect(text).toContain('OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET are missing');
    expect(text).not.toContain('super-secret-ck');
  });

  it('accepts every node-ovh endpoint name the brief lists', () => {
    for (const endpoint of [
      'ovh-eu',
      'ovh-ca',
      'ovh-us',
      'kimsufi-eu',
      'kimsufi-ca',
      'soyoustart-eu',
      'soyoustart-ca',
    ]) {
      expect(loadConfig({ OVH_ENDPOINT: endpoint }).mode).toBe('simulator');
    }
  });
});
