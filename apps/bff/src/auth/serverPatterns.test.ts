import { describe, expect, it } from 'vitest';
import { compileServerPatterns, isValidServerPattern } from './serverPatterns.ts';

describe('server name patterns', () => {
  it('matches * as any run and ? as one character, anchored at both ends', () => {
    const allowed = compileServerPatterns(['ns*.ip-51-91-0.eu', 'web-?']);
    expect(allowed('ns1234567.ip-51-91-0.eu')).toBe(true);
    expect(allowed('ns1.ip-51-91-0.eu')).toBe(true);
    expect(allowed('ns1.ip-51-91-0.eu.evil')).toBe(false);
    expect(allowed('xns1.ip-51-91-0.eu')).toBe(false);
    expect(allowed('web-1')).toBe(true);
    expect(allowed('web-12')).toBe(false);
  });

  it('treats dots literally and ignores case', () => {
    const allowed = compileServerPatterns(['ns1.ip-1-2-3.eu']);
    expect(allowed('ns1xip-1-2-3.eu')).toBe(false);
    expect(allowed('NS1.IP-1-2-3.EU')).toBe(true);
  });

  it('allows nothing with an empty list and everything with *', () => {
    expect(compileServerPatterns([])('ns1.ip-1-2-3.eu')).toBe(false);
    expect(compileServerPatterns(['*'])('anything.at.all')).toBe(true);
  });

  it('accepts only name characters and wildcards', () => {
    expect(isValidServerPattern('ns*.ip-51-91-0.eu')).toBe(true);
    expect(isValidServerPattern('ns(1|2)')).toBe(false);
    expect(isValidServerPattern('')).toBe(false);
  });
});
