/**
 * Issue #7: after the whole run (this project depends on the others), no secret appears in the
 * built web app, in any API response the browser received, in the BFF's log or in the audit log.
 * Secrets: the OVH application secret and consumer key the BFF signs with, and the HTTP header
 * values the tests typed into the wizard.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BASIC_AUTH } from '@byoi/test-kit';
import { bffInstance, RESPONSES_DIR, ROUTES } from '../support/env.ts';
import { expect, test } from './fixtures.ts';

const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../apps/web/dist');

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

interface Secret {
  what: string;
  value: string;
}

function secretsOfTheRun(): Secret[] {
  const secrets: Secret[] = [];
  for (const route of ROUTES) {
    const keys = JSON.parse(readFileSync(bffInstance(route).keysFile, 'utf8')) as {
      applicationSecret?: string;
      consumerKey?: string;
    };
    expect(keys.applicationSecret ?? '').toMatch(/^\w{32}$/);
    expect(keys.consumerKey ?? '').toMatch(/^\w{32}$/);
    secrets.push({
      what: `OVH application secret (${route})`,
      value: keys.applicationSecret ?? '',
    });
    secrets.push({ what: `OVH consumer key (${route})`, value: keys.consumerKey ?? '' });
  }
  const basic = Buffer.from(
    `${DEFAULT_BASIC_AUTH.username}:${DEFAULT_BASIC_AUTH.password}`,
  ).toString('base64');
  secrets.push({ what: 'Authorization header value (base64 part)', value: basic });
  secrets.push({ what: 'Basic auth password', value: DEFAULT_BASIC_AUTH.password });
  return secrets;
}

function leaks(files: string[], secrets: Secret[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const text = readFileSync(file).toString('latin1');
    for (const secret of secrets) {
      if (text.includes(secret.value)) found.push(`${secret.what} in ${file}`);
    }
  }
  return found;
}

test('no secret in the built app, API responses, the BFF log or the audit log', () => {
  const secrets = secretsOfTheRun();

  const dist = filesUnder(WEB_DIST);
  expect(
    dist.some((file) => file.endsWith('.js')),
    'apps/web/dist is built',
  ).toBe(true);

  const responses = filesUnder(RESPONSES_DIR);
  const responseCount = responses
    .map((file) => readFileSync(file, 'utf8').split('\n').filter(Boolean).length)
    .reduce((a, b) => a + b, 0);
  // The run really captured the API traffic (hundreds of responses), including installs with headers.
  expect(responseCount).toBeGreaterThan(100);

  const logs = ROUTES.map((route) => bffInstance(route).logFile).filter((f) => existsSync(f));
  expect(logs.length).toBe(ROUTES.length);
  const audit = ROUTES.flatMap((route) => filesUnder(bffInstance(route).dataDir));
  expect(audit.length).toBeGreaterThan(0);

  expect(leaks([...dist, ...responses, ...logs, ...audit], secrets)).toEqual([]);
});
