import { describe, expect, it } from 'vitest';
import { isLoopback } from './handler.ts';

describe('isLoopback (who may use the /_sim admin API)', () => {
  it('accepts IPv4 loopback, IPv6 loopback and IPv4-mapped loopback', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) {
      expect(isLoopback(address)).toBe(true);
    }
  });

  it('refuses every other address, and an unknown one', () => {
    for (const address of [
      '10.0.0.1',
      '192.168.1.10',
      '::ffff:10.0.0.1',
      'fe80::1',
      '::',
      undefined,
    ]) {
      expect(isLoopback(address)).toBe(false);
    }
  });
});
