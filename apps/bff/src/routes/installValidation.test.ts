/**
 * Malformed install requests: each answers 4xx with a message naming the field and how to fix it,
 * and OVH (the simulator) never receives an install or even a call about the server.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER } from '@byoi/ovh-simulator';
import { fieldsInError, startHarness, type Harness } from '../testing/harness.ts';
import { OPERATOR, type TestAgent } from '../testing/users.ts';

let h: Harness;
let operator: TestAgent;
beforeAll(async () => {
  h = await startHarness();
  operator = await h.signIn(OPERATOR);
});
afterAll(() => h.close());
beforeEach(() => h.sim.admin.reset());

const INSTALL = `/api/servers/${DEFAULT_SERVER}/install`;
const ok = { imageURL: 'https://images.example.com/debian.qcow2', imageType: 'qcow2' };
const hex = (n: number) => 'a'.repeat(n);
const headers = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `X-H${i}`, value: 'v' }));
const metadata = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'v' }));

/** [what, body, the field named in details.fieldErrors] */
const FIELD_CASES: [string, unknown, string][] = [
  ['empty object', {}, 'imageURL'],
  ['missing imageType', { imageURL: ok.imageURL }, 'imageType'],
  ['imageURL is a number', { ...ok, imageURL: 42 }, 'imageURL'],
  ['imageURL with ftp://', { ...ok, imageURL: 'ftp://images.example.com/a.qcow2' }, 'imageURL'],
  ['imageURL javascript:', { ...ok, imageURL: 'javascript:alert(1)' }, 'imageURL'],
  ['imageURL without host', { ...ok, imageURL: 'https://' }, 'imageURL'],
  [
    'imageURL with a space',
    { ...ok, imageURL: 'https://images.example.com/a b.qcow2' },
    'imageURL',
  ],
  [
    'imageURL with user:pass@',
    { ...ok, imageURL: 'https://user:pw@images.example.com/a.qcow2' },
    'imageURL',
  ],
  [
    'imageURL over 2000 characters',
    { ...ok, imageURL: `https://images.example.com/${'a'.repeat(2000)}.qcow2` },
    'imageURL',
  ],
  ['imageType iso', { ...ok, imageType: 'iso' }, 'imageType'],
  ['imageType is a number', { ...ok, imageType: 5 }, 'imageType'],
  [
    'checksum not hex',
    { ...ok, imageCheckSum: 'z'.repeat(64), imageCheckSumType: 'sha256' },
    'imageCheckSum',
  ],
  [
    'checksum length does not match its type',
    { ...ok, imageCheckSum: hex(32), imageCheckSumType: 'sha256' },
    'imageCheckSum',
  ],
  ['checksum without type', { ...ok, imageCheckSum: hex(64) }, 'imageCheckSumType'],
  ['type without checksum', { ...ok, imageCheckSumType: 'sha256' }, 'imageCheckSum'],
  [
    'checksum type crc32',
    { ...ok, imageCheckSum: hex(8), imageCheckSumType: 'crc32' },
    'imageCheckSumType',
  ],
  ['httpHeaders is an object', { ...ok, httpHeaders: { Authorization: 'x' } }, 'httpHeaders'],
  ['11 HTTP headers', { ...ok, httpHeaders: headers(11) }, 'httpHeaders'],
  [
    'header name with a space',
    { ...ok, httpHeaders: [{ name: 'X Token', value: 'v' }] },
    'httpHeaders.0.name',
  ],
  [
    'header name with a colon',
    { ...ok, httpHeaders: [{ name: 'X-Token:', value: 'v' }] },
    'httpHeaders.0.name',
  ],
  [
    'header injection (CRLF in a value)',
    { ...ok, httpHeaders: [{ name: 'X-Token', value: 'v\r\nHost: evil.example' }] },
    'httpHeaders.0.value',
  ],
  [
    'duplicate header names',
    {
      ...ok,
      httpHeaders: [
        { name: 'X-Token', value: '1' },
        { name: 'x-token', value: '2' },
      ],
    },
    'httpHeaders.1.name',
  ],
  ['header without a value', { ...ok, httpHeaders: [{ name: 'X-Token' }] }, 'httpHeaders.0'],
  [
    'header with an unknown field',
    { ...ok, httpHeaders: [{ name: 'X-Token', value: 'v', secret: true }] },
    'httpHeaders.0',
  ],
  [
    'user data without #cloud-config or #!',
    { ...ok, configDriveUserData: 'apt-get install nginx' },
    'configDriveUserData',
  ],
  [
    'user data with invalid YAML',
    { ...ok, configDriveUserData: '#cloud-config\n: : :\n  - [' },
    'configDriveUserData',
  ],
  [
    'user data over 64 KiB',
    { ...ok, configDriveUserData: `#!/bin/sh\n${'#'.repeat(66_000)}` },
    'configDriveUserData',
  ],
  [
    'metadata key with a space',
    { ...ok, configDriveMetadata: [{ key: 'my key', value: 'v' }] },
    'configDriveMetadata.0.key',
  ],
  ['11 metadata entries', { ...ok, configDriveMetadata: metadata(11) }, 'configDriveMetadata'],
  [
    'metadata value over 2000 characters',
    { ...ok, configDriveMetadata: [{ key: 'k', value: 'v'.repeat(2001) }] },
    'configDriveMetadata.0.value',
  ],
  [
    'metadata value with a control character',
    { ...ok, configDriveMetadata: [{ key: 'k', value: 'a\u0007b' }] },
    'configDriveMetadata.0.value',
  ],
  ['hostname with an underscore', { ...ok, customHostname: 'web_01!' }, 'customHostname'],
  [
    'hostname label over 63 characters',
    { ...ok, customHostname: `${'a'.repeat(64)}.example.com` },
    'customHostname',
  ],
  ['ssh key that is not one', { ...ok, sshKey: 'hello' }, 'sshKey'],
  ['EFI path not ending in .efi', { ...ok, efiBootloaderPath: '\\efi\\grub' }, 'efiBootloaderPath'],
  ['unknown field (password)', { ...ok, password: 'hunter2' }, '_form'],
  ['a JSON array', [ok], '_form'],
];

describe('POST /api/servers/:sn/install refuses malformed forms field by field', () => {
  it(`has at least 30 cases (${FIELD_CASES.length})`, () => {
    expect(FIELD_CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(FIELD_CASES)('%s → 400 naming %s', async (_what, body, field) => {
    const res = await operator.post(INSTALL).send(body as object);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toContain('nothing was sent to OVH');
    const fields = fieldsInError(res.body);
    expect(fields.some((f) => f === field || f.startsWith(`${field}.`))).toBe(true);
    const messages = Object.values(
      (res.body as { error: { details: { fieldErrors: Record<string, string[]> } } }).error.details
        .fieldErrors,
    ).flat();
    expect(messages.every((m) => m.length > 20)).toBe(true);
    // Nothing reached OVH: no install and no call at all (validation comes first).
    expect(h.sim.admin.requests()).toEqual([]);
    expect(h.sim.admin.calls()).toEqual({});
  });

  it.each([
    ['malformed JSON', 'application/json', '{"imageURL": ', 400, 'BAD_JSON'],
    ['a bare JSON string', 'application/json', '"https://x"', 400, 'BAD_JSON'],
    ['text/plain', 'text/plain', 'imageURL=https://x', 415, 'BAD_JSON'],
    ['form encoding', 'application/x-www-form-urlencoded', 'imageURL=x', 415, 'BAD_JSON'],
    [
      'a body over 1 MiB',
      'application/json',
      JSON.stringify({ ...ok, configDriveUserData: `#!/bin/sh\n${'x'.repeat(1024 * 1024)}` }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
  ])('%s → %i %s', async (_what, type, raw, status, code) => {
    const res = await operator.post(INSTALL).set('Content-Type', type).send(raw);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(/JSON|1 MiB/);
    expect(h.sim.admin.requests()).toEqual([]);
    expect(h.sim.admin.calls()).toEqual({});
  });
});
