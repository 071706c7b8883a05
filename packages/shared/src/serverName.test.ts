import { describe, expect, it } from 'vitest';
import { serverNameProblem } from './serverName.ts';

describe('serverNameProblem', () => {
  it.each(['ns3073436.ip-51-91-7.eu', 'ks1234.kimsufi.com', 'sd-12345', 'fleet-0034.example'])(
    'accepts %s',
    (name) => expect(serverNameProblem(name)).toBeNull(),
  );

  it.each([
    '.',
    '..',
    'a..b',
    '.ns1',
    'ns1.',
    'a/b',
    'a b',
    '-ns1',
    'ns1-',
    'ns\u0000',
    'é.eu',
    '',
  ])('refuses %j with the rule and an example', (name) =>
    expect(serverNameProblem(name)).toMatch(/ns3073436\.ip-51-91-7\.eu/),
  );

  it('refuses an overlong name and quotes control characters as escapes', () => {
    expect(serverNameProblem('a'.repeat(254))).toMatch(/1 to 253 characters/);
    expect(serverNameProblem('ns1\n')).toContain('ns1\\u000a');
  });
});
