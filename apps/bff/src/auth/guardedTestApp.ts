/**
 * A small Express app wired with exactly the guards of the real one, in the same order, around a
 * stand-in install route that counts its calls. It lets the guards' unit tests run without the OVH
 * simulator; the real app's own tests cover the same guards end to end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express, { type Express } from 'express';
import { AuditLog, type AuditLogger } from '../audit/auditLog.ts';
import { auditTrail } from '../audit/auditTrail.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { createIdempotency } from '../middleware/idempotency.ts';
import {
  createRateLimits,
  DEFAULT_RATE_LIMITS,
  type RateLimitSettings,
} from '../middleware/rateLimits.ts';
import { requireRole, requireServerAccess } from '../middleware/requireRole.ts';
import { securityHeaders } from '../middleware/securityHeaders.ts';
import { createSessions, requireSession, sessionUser } from '../middleware/session.ts';
import { auditRouter } from '../routes/audit.ts';
import { sessionRouter } from '../routes/session.ts';
import { OPERATOR, TEST_SCRYPT, VIEWER, writeUsersFile, type TestUser } from './testing.ts';
import { UserDirectory } from './users.ts';

export const TEST_SERVERS = ['ns1.ip-51-91-0.eu', 'ns2.ip-51-91-0.eu', 'ns9.ip-10-0-0.eu'];

export interface GuardedTestAppOptions {
  users?: TestUser[];
  /** Share one users file between "replicas". */
  usersFile?: string;
  secret?: string;
  now?: () => number;
  rateLimits?: Partial<RateLimitSettings>;
  trustProxy?: boolean;
  idempotencyTtlMs?: number;
}

export interface GuardedTestApp {
  app: Express;
  audit: AuditLog;
  logged: object[];
  /** How many times the stand-in install actually ran. */
  installs: () => number;
  secret: string;
  usersFile: string;
}

export async function guardedTestApp(options: GuardedTestAppOptions = {}): Promise<GuardedTestApp> {
  const dir = await mkdtemp(path.join(tmpdir(), 'byoi-guards-'));
  const usersFile =
    options.usersFile ?? (await writeUsersFile(dir, options.users ?? [OPERATOR, VIEWER]));
  const { directory } = await UserDirectory.load({ usersFile, scryptParams: TEST_SCRYPT });
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const sessions = createSessions(
    { secret, idleMinutes: 30, maxHours: 12, ...(options.now ? { now: options.now } : {}) },
    directory,
  );
  const logged: object[] = [];
  const logger: AuditLogger = { info: (obj) => logged.push(obj), error: (obj) => logged.push(obj) };
  const audit = new AuditLog(path.join(dir, 'audit.log'), logger);
  const limits = createRateLimits({ ...DEFAULT_RATE_LIMITS, ...options.rateLimits });
  const idempotency = createIdempotency(
    options.idempotencyTtlMs !== undefined ? { ttlMs: options.idempotencyTtlMs } : {},
  );
  let installs = 0;

  const app = express();
  app.set('trust proxy', options.trustProxy ?? false);
  app.use(securityHeaders());
  app.use(express.json({ limit: '1mb' }));
  app.use('/api', auditTrail(audit));
  app.use(sessions.load);
  app.use(csrfProtection);
  app.use('/api', sessionRouter({ sessions, directory, rateLimits: limits }));
  app.use('/api', requireSession);
  app.use('/api', auditRouter({ audit }));
  app.get('/api/servers', (req, res) => {
    const user = sessionUser(req)!;
    res.json({ items: TEST_SERVERS.filter((name) => user.canAccessServer(name)) });
  });
  app.use('/api/servers/:sn', requireServerAccess());
  app.get('/api/servers/:sn', (req, res) => {
    if (!TEST_SERVERS.includes(req.params.sn))
      return res.status(404).json({ error: { code: 'NOT_FOUND', message: 'No such server.' } });
    res.json({ name: req.params.sn });
  });
  app.post(
    '/api/servers/:sn/install',
    requireRole('operator'),
    idempotency,
    limits.install,
    (_req, res) => {
      installs += 1;
      const taskId = 1000 + installs;
      // Long enough that concurrent replays arrive while the first is still running.
      setTimeout(() => res.status(202).json({ route: 'install-start', task: { taskId } }), 50);
    },
  );
  return { app, audit, logged, installs: () => installs, secret, usersFile };
}
