/**
 * Starts one BFF for a Playwright project (the `webServer` command): writes the users file it reads
 * (hashes made with the BFF's own `hashPassword`), then runs the BFF's real entry point in this
 * process. The built web app is served by the BFF from `apps/web/dist`.
 *
 * The secrets test needs the OVH application secret and consumer key the embedded simulator makes up
 * at start. They never leave the BFF, so this launcher notes them the first time the real node-ovh
 * client signs a request (the signature is computed unchanged) and writes them to `E2E_OVH_KEYS_FILE`.
 */
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hashPassword } from '../../apps/bff/src/auth/password.ts';
import { TEST_USERS } from './users.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const bffDir = path.resolve(here, '../../apps/bff');

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set by playwright.config.ts.`);
  return value;
}

// Serve a copy of the built app: a rebuild of apps/web/dist during the run (e.g. by a developer)
// would otherwise swap the hashed assets under the open pages.
const webDist = path.resolve(here, '../../apps/web/dist');
if (!existsSync(path.join(webDist, 'index.html'))) {
  throw new Error('apps/web/dist is missing: run `corepack pnpm --filter @byoi/web build` first.');
}
cpSync(webDist, required('WEB_DIST_DIR'), { recursive: true });

const usersFile = required('CONSOLE_USERS_FILE');
const keysFile = required('E2E_OVH_KEYS_FILE');
mkdirSync(path.dirname(usersFile), { recursive: true });
const users = await Promise.all(
  TEST_USERS.map(async (user) => ({
    username: user.username,
    // A low scrypt cost keeps 80 test users quick to hash; the BFF reads the cost from each hash.
    passwordHash: await hashPassword(user.password, { N: 1024, r: 8, p: 1 }),
    role: user.role,
    servers: ['*'],
  })),
);
writeFileSync(usersFile, JSON.stringify({ users }, null, 2), { mode: 0o600 });

interface NodeOvhClient {
  appSecret?: string;
  consumerKey?: string | null;
  signRequest(...args: unknown[]): string;
}
type NodeOvhFactory = (options: Record<string, unknown>) => NodeOvhClient;

// The BFF imports this very module: its clients share the prototype observed here.
const requireFromBff = createRequire(path.join(bffDir, 'package.json'));
const nodeOvh = requireFromBff('@ovhcloud/node-ovh') as NodeOvhFactory;
const prototype = Object.getPrototypeOf(nodeOvh({ appKey: 'probe', appSecret: 'probe' })) as {
  signRequest: NodeOvhClient['signRequest'];
};
const realSign = prototype.signRequest;
let noted = false;
prototype.signRequest = function signRequest(this: NodeOvhClient, ...args: unknown[]): string {
  if (!noted) {
    noted = true;
    writeFileSync(
      keysFile,
      JSON.stringify({ applicationSecret: this.appSecret, consumerKey: this.consumerKey }),
      { mode: 0o600 },
    );
  }
  return realSign.apply(this, args);
};

// Imported by URL so the type check of e2e/ stays out of the BFF's sources (it has its own).
await import(pathToFileURL(path.join(bffDir, 'src/main.ts')).href);
