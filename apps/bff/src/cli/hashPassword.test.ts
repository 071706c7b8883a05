import { spawnSync } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePasswordHash, verifyPassword } from '../auth/password.ts';
import { runHashPassword } from './hashPassword.ts';

function io(input: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  return {
    io: { stdin: Readable.from([input]), stdout, stderr },
    out: () => out,
    err: () => err,
  };
}

describe('hash-password', () => {
  it('prints only a scrypt hash of the piped password, which verifies', async () => {
    const run = io('correct horse battery\nignored second line\n');
    expect(await runHashPassword(run.io)).toBe(0);
    const hash = run.out().trim();
    expect(run.out().split('\n').filter(Boolean)).toHaveLength(1);
    expect(hash).toMatch(/^scrypt\$N=32768,r=8,p=1\$/);
    expect(await verifyPassword('correct horse battery', parsePasswordHash(hash))).toBe(true);
    expect(run.out()).not.toContain('correct horse');
  });

  it('refuses a password shorter than 8 characters and says how to pipe one', async () => {
    const run = io('short\n');
    expect(await runHashPassword(run.io)).toBe(1);
    expect(run.out()).toBe('');
    expect(run.err()).toContain('at least 8 characters');
    expect(run.err()).toContain('hash-password');
  });

  it('runs as the package script does (tsx src/cli/hashPassword.ts)', () => {
    const script = fileURLToPath(new URL('./hashPassword.ts', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
      input: 'a-long-enough-password',
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toMatch(/^scrypt\$/);
  });
});
