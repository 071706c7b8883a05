import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, startupNotices } from './config.ts';

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
      installRoute: 'reinstall',
      ovhTimeoutMs: 10_000,
      ovhConcurrency: 16,
      serverCacheTtlMs: 5_000,
      logLevel: 'info',
      logRequests: 'debug',
      logFormat: 'auto',
      installWatchIntervalMs: 10_000,
      webhookPollMs: 1_000,
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
      LOG_REQUESTS: 'debug',
      LOG_FORMAT: 'json',
      INSTALL_WATCH_INTERVAL_MS: '30000',
      WEBHOOK_POLL_MS: '250',
      ROLLOUT_TICK_MS: '500',
      ROLLOUT_LEASE_MS: '10000',
      WEB_DIST_DIR: '/srv/web',
      DATA_DIR: '/var/lib/byoi',
      SESSION_SECRET: 'x'.repeat(32),
      SESSION_IDLE_MINUTES: '15',
      SESSION_MAX_HOURS: '8',
      CONSOLE_USERS_FILE: '/etc/byoi/users.json',
      AUDIT_LOG_FILE: '/var/log/byoi/audit.log',
      DATABASE_URL: 'postgres://byoi:pw@db.internal:5432/byoi',
      DATABASE_POOL_SIZE: '20',
      SECRETS_KEY: 'ab'.repeat(32),
      AUDIT_RETENTION_DAYS: '90',
      TRUST_PROXY: '10.0.0.0/8, loopback',
      PREFLIGHT_ALLOW_HOSTS: 'images.corp.example, 10.20.0.0/16 ,192.0.2.7',
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
      simulator: { remote: null, clockSpeed: 100, port: 8443, latencyMs: 20, serverCount: 500 },
      logLevel: 'debug',
      logRequests: 'debug',
      logFormat: 'json',
      installWatchIntervalMs: 30_000,
      webhookPollMs: 250,
      rolloutTickMs: 500,
      rolloutLeaseMs: 10_000,
      webDistDir: '/srv/web',
      dataDir: '/var/lib/byoi',
      store: { databaseUrl: 'postgres://byoi:pw@db.internal:5432/byoi', poolSize: 20 },
      secretsKey: Buffer.from('ab'.repeat(32), 'hex'),
      auditRetentionDays: 90,
      session: { secret: 'x'.repeat(32), secretGenerated: false, idleMinutes: 15, maxHours: 8 },
      users: { file: '/etc/byoi/users.json', adminPasswordHash: undefined },
      auditLogFile: '/var/log/byoi/audit.log',
      trustProxy: ['10.0.0.0/8', 'loopback'],
      preflightAllowHosts: ['images.corp.example', '10.20.0.0/16', '192.0.2.7'],
    });
  });

  it('logs requests at info in real mode and at debug with the simulator, unless LOG_REQUESTS says', () => {
    const real = {
      OVH_APPLICATION_KEY: 'ak',
      OVH_APPLICATION_SECRET: 'as',
      OVH_CONSUMER_KEY: 'ck',
      SESSION_SECRET: 'x'.repeat(32),
    };
    expect(loadConfig(real).logRequests).toBe('info');
    expect(loadConfig({}).logRequests).toBe('debug');
    expect(loadConfig({ LOG_REQUESTS: 'info' }).logRequests).toBe('info');
    expect(problemsOf({ LOG_REQUESTS: 'loud', LOG_FORMAT: 'xml' })).toEqual([
      'LOG_REQUESTS must be one of info, debug.',
      'LOG_FORMAT must be one of auto, json, pretty.',
    ]);
  });

  it('generates a session secret per start in simulator mode, and puts the audit log in the data dir', () => {
    const a = loadConfig({ DATA_DIR: '/tmp/byoi-data' });
    const b = loadConfig({ DATA_DIR: '/tmp/byoi-data' });
    expect(a.session.secretGenerated).toBe(true);
    expect(Buffer.byteLength(a.session.secret)).toBeGreaterThanOrEqual(32);
    expect(a.session.secret).not.toBe(b.session.secret);
    expect(a.session).toMatchObject({ idleMinutes: 30, maxHours: 12 });
    expect(a.auditLogFile).toBe('/tmp/byoi-data/audit.log');
    expect(a.trustProxy).toEqual(['loopback']);
    expect(a.preflightAllowHosts).toEqual([]);
    expect(a.users).toEqual({ file: undefined, adminPasswordHash: undefined });
    expect(loadConfig({ DATA_DIR: '/d', AUDIT_LOG_FILE: 'logs/a.log' }).auditLogFile).toBe(
      '/d/logs/a.log',
    );
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
  });

  it('reads SECRETS_KEY as 64 hex digits or base64 of 32 bytes, and refuses anything else without echoing it', () => {
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ SECRETS_KEY: b64 }).secretsKey).toEqual(Buffer.alloc(32, 7));
    expect(
      loadConfig({ SECRETS_KEY: Buffer.alloc(32, 7).toString('base64url') }).secretsKey,
    ).toEqual(Buffer.alloc(32, 7));
    expect(loadConfig({}).secretsKey).toBeUndefined();
    for (const bad of ['short-s3cret', 'ab'.repeat(31), Buffer.alloc(16).toString('base64')]) {
      const problems = problemsOf({ SECRETS_KEY: bad });
      expect(problems).toEqual([expect.stringMatching(/^SECRETS_KEY must be 32 random bytes/)]);
      expect(problems.join('\n')).not.toContain(bad);
    }
  });

  it('refuses a DATABASE_URL that is not a PostgreSQL URL, without echoing it', () => {
    for (const bad of ['not a url', 'mysql://u:s3cret@h/db', 'http://h/db']) {
      const problems = problemsOf({ DATABASE_URL: bad });
      expect(problems).toEqual([
        'DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/database.',
      ]);
      expect(problems.join('\n')).not.toContain('s3cret');
    }
    expect(loadConfig({ DATABASE_URL: 'postgresql://h/db' }).store.databaseUrl).toBe(
      'postgresql://h/db',
    );
  });

  it('keeps the embedded store by default, and a pool of 10 for DATABASE_URL', () => {
    expect(loadConfig({}).store).toEqual({ databaseUrl: undefined, poolSize: 10 });
    expect(loadConfig({}).auditRetentionDays).toBe(365);
    expect(problemsOf({ DATABASE_POOL_SIZE: '0', AUDIT_RETENTION_DAYS: '-1' })).toEqual([
      'DATABASE_POOL_SIZE must be at least 1.',
      'AUDIT_RETENTION_DAYS must be at least 0.',
    ]);
  });

  it('looks for due webhook deliveries every second unless WEBHOOK_POLL_MS says', () => {
    expect(loadConfig({}).webhookPollMs).toBe(1_000);
    expect(loadConfig({ WEBHOOK_POLL_MS: '50' }).webhookPollMs).toBe(50);
    expect(problemsOf({ WEBHOOK_POLL_MS: '5' })).toEqual(['WEBHOOK_POLL_MS must be at least 10.']);
    expect(problemsOf({ WEBHOOK_POLL_MS: 'often' })).toEqual([
      'WEBHOOK_POLL_MS must be a whole number.',
    ]);
  });

  it('moves rollouts on every 2 seconds unless ROLLOUT_TICK_MS says', () => {
    expect(loadConfig({}).rolloutTickMs).toBe(2_000);
    expect(loadConfig({ ROLLOUT_TICK_MS: '100' }).rolloutTickMs).toBe(100);
    expect(problemsOf({ ROLLOUT_TICK_MS: '1' })).toEqual(['ROLLOUT_TICK_MS must be at least 10.']);
  });

  it('holds a rollout for 30 seconds a round unless ROLLOUT_LEASE_MS says, always over two ticks', () => {
    expect(loadConfig({}).rolloutLeaseMs).toBe(30_000);
    expect(loadConfig({ ROLLOUT_TICK_MS: '200', ROLLOUT_LEASE_MS: '3000' }).rolloutLeaseMs).toBe(
      3_000,
    );
    expect(problemsOf({ ROLLOUT_LEASE_MS: '50' })).toEqual([
      'ROLLOUT_LEASE_MS must be at least 100.',
    ]);
    expect(problemsOf({ ROLLOUT_TICK_MS: '2000', ROLLOUT_LEASE_MS: '4000' })).toEqual([
      'ROLLOUT_LEASE_MS must be more than twice ROLLOUT_TICK_MS.',
    ]);
  });

  it('talks to a running simulator with SIMULATOR_URL, its CA file and the keys it printed', () => {
    const shared = {
      SIMULATOR_URL: 'https://127.0.0.1:8443/1.0',
      SIMULATOR_CA_FILE: '/tmp/sim/ca.pem',
      OVH_APPLICATION_KEY: 'ak',
      OVH_APPLICATION_SECRET: 'as',
      OVH_CONSUMER_KEY: 'ck',
    };
    const config = loadConfig(shared);
    expect(config.mode).toBe('simulator');
    expect(config.ovh).toBeNull();
    expect(config.simulator.remote).toEqual({
      url: new URL('https://127.0.0.1:8443/1.0'),
      caFile: '/tmp/sim/ca.pem',
      applicationKey: 'ak',
      applicationSecret: 'as',
      consumerKey: 'ck',
    });
    expect(problemsOf({ SIMULATOR_URL: 'http://127.0.0.1:8443/1.0' })).toEqual([
      expect.stringMatching(/^SIMULATOR_URL must be an https:\/\/ URL/),
      expect.stringMatching(/^SIMULATOR_CA_FILE is required with SIMULATOR_URL/),
      'SIMULATOR_URL needs the keys the simulator printed: OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY are missing.',
    ]);
    expect(problemsOf({ SIMULATOR_CA_FILE: '/tmp/ca.pem' })).toEqual([
      'SIMULATOR_CA_FILE is set without SIMULATOR_URL: set both to use a running simulator, or neither.',
    ]);
  });

  it('requires SESSION_SECRET (≥ 32 bytes) in real mode, without echoing it', () => {
    const creds = {
      OVH_APPLICATION_KEY: 'ak',
      OVH_APPLICATION_SECRET: 'as',
      OVH_CONSUMER_KEY: 'ck',
    };
    expect(problemsOf(creds).join('\n')).toContain(
      'SESSION_SECRET is required with OVH credentials',
    );
    const short = problemsOf({ ...creds, SESSION_SECRET: 'short-secret-value' }).join('\n');
    expect(short).toContain('SESSION_SECRET is too short: it must be at least 32 bytes');
    expect(short).not.toContain('short-secret-value');
    expect(problemsOf({ SESSION_SECRET: 'tiny' })[0]).toContain('SESSION_SECRET is too short');
  });

  it('explains bad sign-in, proxy and allow-list variables all at once', () => {
    const text = problemsOf({
      CONSOLE_USERS_FILE: '/etc/users.json',
      CONSOLE_ADMIN_PASSWORD_HASH: 'plain-password',
      TRUST_PROXY: 'everyone',
      PREFLIGHT_ALLOW_HOSTS: 'ok.example, 10.0.0.0/33, bad host',
      SESSION_IDLE_MINUTES: '0',
    }).join('\n');
    expect(text).toContain('CONSOLE_USERS_FILE and CONSOLE_ADMIN_PASSWORD_HASH are both set');
    expect(text).toContain('CONSOLE_ADMIN_PASSWORD_HASH is not a scrypt password hash');
    expect(text).toContain('hash-password');
    expect(text).not.toContain('plain-password');
    expect(text).toContain('TRUST_PROXY entry "everyone" is not understood');
    expect(text).toContain('PREFLIGHT_ALLOW_HOSTS entry "10.0.0.0/33"');
    expect(text).toContain('PREFLIGHT_ALLOW_HOSTS entry "bad host"');
    expect(text).not.toContain('"ok.example"');
    expect(text).toContain('SESSION_IDLE_MINUTES must be at least 1');
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

describe('startupNotices', () => {
  const real = {
    OVH_APPLICATION_KEY: 'ak',
    OVH_APPLICATION_SECRET: 'as',
    OVH_CONSUMER_KEY: 'ck',
    SESSION_SECRET: 'x'.repeat(32),
  };

  it("warns once, in real mode, that OVH decommissioned the seed's install/start route", () => {
    const notices = startupNotices(loadConfig({ ...real, OVH_INSTALL_ROUTE: 'install-start' }));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('decommissioned');
    expect(notices[0]).toContain('7 October 2025');
    expect(notices[0]).toContain('/reinstall');
  });

  it('says nothing on the default route, nor in simulator mode where both routes work', () => {
    expect(startupNotices(loadConfig(real))).toEqual([]);
    expect(startupNotices(loadConfig({ OVH_INSTALL_ROUTE: 'install-start' }))).toEqual([]);
  });
});
