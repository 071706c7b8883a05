/**
 * Test helpers for anything behind sign-in: a users file with cheap hashes, and `signIn(app)`, a
 * supertest agent that carries the session cookie, a same-origin `Origin` and the CSRF header —
 * what the SPA sends from a browser.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import type { ConsoleRole, SessionResponse } from '@byoi/shared';
import { CSRF_COOKIE } from '../auth/cookies.ts';
import { hashPassword, type ScryptParams } from '../auth/password.ts';

/** Far cheaper than production's N=32768, so tests that sign in often stay fast. */
export const TEST_SCRYPT: ScryptParams = { N: 1024, r: 8, p: 1 };

/** The Host the agents use: loopback, so cookies are not `Secure` over plain HTTP. */
export const TEST_ORIGIN = 'http://localhost';

export interface TestUser {
  username: string;
  password: string;
  role: ConsoleRole;
  servers?: string[];
}

export const OPERATOR: TestUser = {
  username: 'olivia',
  password: 'operator-pass-1',
  role: 'operator',
};
export const VIEWER: TestUser = { username: 'victor', password: 'viewer-pass-1', role: 'viewer' };
/** An operator limited to some servers of the simulator's fleet. */
export const SCOPED_OPERATOR: TestUser = {
  username: 'sam',
  password: 'scoped-pass-1',
  role: 'operator',
  servers: ['ns1234567.ip-51-91-0.eu', 'ns-small-*'],
};
export const TEST_USERS = [OPERATOR, VIEWER, SCOPED_OPERATOR];

export async function writeUsersFile(dir: string, users: TestUser[]): Promise<string> {
  const file = path.join(dir, 'users.json');
  const entries = await Promise.all(
    users.map(async (u) => ({
      username: u.username,
      passwordHash: await hashPassword(u.password, TEST_SCRYPT),
      role: u.role,
      ...(u.servers ? { servers: u.servers } : {}),
    })),
  );
  await writeFile(file, JSON.stringify({ users: entries }, null, 2));
  return file;
}

export type TestAgent = ReturnType<typeof request.agent>;
/** An Express app, or a listening server (to go through the console's own HTTP server). */
export type AgentTarget = Parameters<typeof request.agent>[0];

/** A fresh agent with the browser's same-origin headers but no session. */
export function browserAgent(app: AgentTarget): TestAgent {
  return request.agent(app).host('localhost').set('Origin', TEST_ORIGIN);
}

export function cookieValue(
  setCookie: string[] | string | undefined,
  name: string,
): string | undefined {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  for (const c of list) {
    if (c.startsWith(`${name}=`))
      return decodeURIComponent(c.slice(name.length + 1).split(';')[0] ?? '');
  }
  return undefined;
}

/** Signs in through the real `POST /api/session` and returns an agent that sends the CSRF header. */
export async function signIn(
  app: AgentTarget,
  user: Pick<TestUser, 'username' | 'password'> = OPERATOR,
): Promise<TestAgent> {
  const agent = browserAgent(app);
  const res = await agent
    .post('/api/session')
    .send({ username: user.username, password: user.password });
  if (res.status !== 200) {
    throw new Error(`signIn(${user.username}) answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  const csrf = cookieValue(res.headers['set-cookie'], CSRF_COOKIE);
  if (!csrf) throw new Error('signIn: the response set no CSRF cookie.');
  (res.body as SessionResponse).user.username satisfies string;
  agent.set('X-CSRF-Token', csrf);
  return agent;
}
