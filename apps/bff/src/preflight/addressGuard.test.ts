import { describe, expect, it } from 'vitest';
import { createAddressGuard, normaliseHost, type Resolver } from './addressGuard.ts';
import { FetchError, GuardError } from './errors.ts';

/** A test resolver: names that resolve to forbidden places, and a few that do not resolve. */
const zone: Record<string, string[]> = {
  'intranet.example': ['10.0.0.5'],
  'metadata.example': ['169.254.169.254'],
  'loop.example': ['127.0.0.1'],
  'loop6.example': ['::1'],
  'mapped.example': ['::ffff:127.0.0.1'],
  'mixed.example': ['203.0.114.7', '192.168.1.1'],
  'public.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'cgnat.example': ['100.64.1.1'],
  'ula.example': ['fd12:3456::1'],
};
const resolver: Resolver = (host) => {
  const answers = zone[host.replace(/\.$/, '')];
  if (!answers) return Promise.reject(new Error(`ENOTFOUND ${host}`));
  return Promise.resolve(
    answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
  );
};

const guard = createAddressGuard({ allowHosts: [], allowLoopback: false, resolver });

describe('normaliseHost', () => {
  it.each([
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1'],
    ['0:0:0:0:0:ffff:7f00:1', '::ffff:7f00:1'],
    ['Example.COM', 'example.com'],
  ])('%s → %s (WHATWG URL parsing, as a browser would)', (input, output) => {
    expect(normaliseHost(input)).toBe(output);
  });

  it('refuses something that is not a host', () => {
    expect(() => normaliseHost('1.2.3.4.5')).toThrow(/not a valid host name/);
  });
});

describe('createAddressGuard', () => {
  // At least 25 forbidden targets: every IPv4 form, IPv6, mapped and names resolving to them.
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['2130706433', 'a loopback address'],
    ['0177.0.0.1', 'a loopback address'],
    ['0x7f000001', 'a loopback address'],
    ['127.1', 'a loopback address'],
    ['0', 'an unspecified address'],
    ['0.0.0.0', 'an unspecified address'],
    ['10.0.0.5', 'a private address'],
    ['012.0.0.5', 'a private address'],
    ['172.16.3.4', 'a private address'],
    ['192.168.0.1', 'a private address'],
    ['3232235521', 'a private address'],
    ['169.254.169.254', 'a link-local address (the cloud metadata service)'],
    ['0xa9fea9fe', 'a link-local address (the cloud metadata service)'],
    ['100.64.0.1', 'a carrier-grade NAT (CGNAT) address'],
    ['224.0.0.1', 'a multicast address'],
    ['255.255.255.255', 'a broadcast address'],
    ['192.0.2.1', 'a reserved address'],
    ['240.0.0.1', 'a reserved address'],
    ['[::1]', 'a loopback address'],
    ['::', 'an unspecified address'],
    ['fe80::1', 'a link-local address'],
    ['fd00::1', 'a private (unique local) address'],
    ['fec0::1', 'a private (site-local) address'],
    ['ff02::1', 'a multicast address'],
    ['::ffff:127.0.0.1', 'a loopback address'],
    ['::ffff:7f00:1', 'a loopback address'],
    ['::ffff:10.0.0.1', 'a private address'],
    ['::ffff:169.254.169.254', 'a link-local address (the cloud metadata service)'],
    ['64:ff9b::10.0.0.1', 'a private address'],
    ['64:ff9b:1::1', 'a local-use NAT64 address'],
    ['2002:7f00:1::1', 'a loopback address'],
    ['2001::1', 'a Teredo tunnel address'],
    ['::127.0.0.1', 'an IPv4-compatible IPv6 address'],
    ['2001:db8::1', 'a reserved address'],
    ['intranet.example', 'resolves to 10.0.0.5, a private address'],
    ['metadata.example', 'resolves to 169.254.169.254, a link-local address'],
    ['loop.example', 'resolves to 127.0.0.1, a loopback address'],
    ['loop6.example', 'resolves to ::1, a loopback address'],
    ['mapped.example', 'resolves to ::ffff:7f00:1, a loopback address'],
    ['mixed.example', 'resolves to 192.168.1.1, a private address'],
    ['cgnat.example', 'resolves to 100.64.1.1, a carrier-grade NAT'],
    ['ula.example', 'resolves to fd12:3456::1, a private (unique local) address'],
  ])('refuses %s: %s', async (host, words) => {
    const error = await guard.check(host).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardError);
    const message = (error as GuardError).message;
    expect(message).toContain(words);
    expect(message).toContain('the console only fetches public addresses');
    expect(message).toContain('PREFLIGHT_ALLOW_HOSTS');
  });

  it('says which host and which canonical address it refused', async () => {
    await expect(guard.check('10.0.0.5')).rejects.toThrow(
      'The image host 10.0.0.5 is a private address: the console only fetches public addresses. Add it to PREFLIGHT_ALLOW_HOSTS if this is intended.',
    );
    await expect(guard.check('2130706433', 'checksum file host')).rejects.toThrow(
      'The checksum file host 2130706433 (127.0.0.1) is a loopback address',
    );
  });

  it('returns the checked address for public hosts', async () => {
    await expect(guard.check('93.184.216.34')).resolves.toEqual({
      address: '93.184.216.34',
      family: 4,
    });
    await expect(guard.check('public.example')).resolves.toEqual({
      address: '93.184.216.34',
      family: 4,
    });
    await expect(guard.check('[2606:2800:220:1::1]')).resolves.toEqual({
      address: '2606:2800:220:1::1',
      family: 6,
    });
    await expect(guard.check('::ffff:8.8.8.8')).resolves.toMatchObject({ family: 6 });
  });

  it('reports a name that does not resolve as a DNS failure, not a refusal', async () => {
    const error = await guard.check('nowhere.example').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FetchError);
    expect((error as FetchError).kind).toBe('dns');
    expect((error as FetchError).message).toContain('nowhere.example could not be found');
  });

  it('allows loopback (every form this machine answers) in simulator mode, and nothing else', async () => {
    const sim = createAddressGuard({ allowHosts: [], allowLoopback: true, resolver });
    await expect(sim.check('127.0.0.1')).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    await expect(sim.check('2130706433')).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    await expect(sim.check('[::1]')).resolves.toEqual({ address: '::1', family: 6 });
    await expect(sim.check('::ffff:127.0.0.1')).resolves.toMatchObject({ family: 6 });
    await expect(sim.check('loop.example')).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    await expect(sim.check('10.0.0.5')).rejects.toBeInstanceOf(GuardError);
    await expect(sim.check('169.254.169.254')).rejects.toBeInstanceOf(GuardError);
    // NAT64 and 6to4 forms leave the machine for a gateway, which would reach its own loopback.
    await expect(sim.check('[64:ff9b::7f00:1]')).rejects.toThrow(/a loopback address/);
    await expect(sim.check('[2002:7f00:1::1]')).rejects.toThrow(/a loopback address/);
  });

  it('allows CIDRs, single addresses and host names from PREFLIGHT_ALLOW_HOSTS', async () => {
    const allow = createAddressGuard({
      allowHosts: ['10.0.0.0/8', '192.168.1.1', 'metadata.example', 'fd12::/16'],
      allowLoopback: false,
      resolver,
    });
    await expect(allow.check('10.9.8.7')).resolves.toEqual({ address: '10.9.8.7', family: 4 });
    await expect(allow.check('::ffff:10.9.8.7')).resolves.toMatchObject({ family: 6 });
    await expect(allow.check('intranet.example')).resolves.toEqual({
      address: '10.0.0.5',
      family: 4,
    });
    await expect(allow.check('mixed.example')).resolves.toMatchObject({ address: '203.0.114.7' });
    await expect(allow.check('METADATA.example.')).resolves.toEqual({
      address: '169.254.169.254',
      family: 4,
    });
    await expect(allow.check('ula.example')).resolves.toMatchObject({ family: 6 });
    // The name is allowed, not its address: reaching the same address by IP is still refused.
    await expect(allow.check('169.254.169.254')).rejects.toBeInstanceOf(GuardError);
    await expect(allow.check('192.168.1.2')).rejects.toBeInstanceOf(GuardError);
  });

  it('rejects an allow-list entry it cannot understand, naming it', () => {
    expect(() => createAddressGuard({ allowHosts: ['10.0.0.0/33'], allowLoopback: false })).toThrow(
      'PREFLIGHT_ALLOW_HOSTS entry "10.0.0.0/33"',
    );
  });
});
