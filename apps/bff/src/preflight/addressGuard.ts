/**
 * The address guard: every fetch the BFF makes on an operator's behalf goes through `check(host)`
 * first, and then connects to the address it returned (never resolving the name a second time, so
 * DNS rebinding cannot swap a public answer for a private one between the check and the connect).
 */
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { FetchError, GuardError } from './errors.ts';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export interface AddressGuardOptions {
  /** CIDRs (`10.1.0.0/16`, `fd00::/8`), single addresses or exact host names. */
  allowHosts: string[];
  /** Simulator mode: the demo image server listens on loopback. */
  allowLoopback: boolean;
  /** Defaults to the system resolver (`dns.lookup`, all addresses). */
  resolver?: Resolver;
}

export interface AddressGuard {
  /**
   * Resolves `host` and returns the address to connect to. Throws `GuardError` when the host or
   * any of its addresses is forbidden, `FetchError('dns')` when the name does not resolve.
   * `label` names the host in messages ("image host", "checksum file host").
   */
  check(host: string, label?: string): Promise<ResolvedAddress>;
}

type IP = ipaddr.IPv4 | ipaddr.IPv6;

const defaultResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/** What a forbidden range is called in a message, with the article. */
const RANGE_WORDS: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT (CGNAT) address',
  private: 'a private address',
  uniqueLocal: 'a private (unique local) address',
  deprecatedSiteLocal: 'a private (site-local) address',
  reserved: 'a reserved address',
  benchmarking: 'a benchmarking address',
  discard: 'a discard-only address',
  teredo: 'a Teredo tunnel address',
  nat64Local: 'a local-use NAT64 address',
  ipv4Compatible: 'an IPv4-compatible IPv6 address',
};

const METADATA_ADDRESS = '169.254.169.254';

/**
 * The canonical form of a host as a browser would see it: WHATWG URL parsing turns `2130706433`,
 * `0177.0.0.1`, `0x7f000001` and `127.1` into `127.0.0.1`, lower-cases names and compresses IPv6.
 */
export function normaliseHost(host: string): string {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1');
  const literal = bare.includes(':') ? `[${bare}]` : bare;
  let hostname: string;
  try {
    hostname = new URL(`http://${literal}/`).hostname;
  } catch {
    throw new GuardError(
      `"${host}" is not a valid host name or IP address. Check the URL for typos.`,
      host,
      null,
    );
  }
  return hostname.replace(/^\[(.*)\]$/, '$1');
}

/** The IPv4 address an IPv6 address stands for, when it embeds one (mapped, NAT64, 6to4, …). */
function embeddedIPv4(ip: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = ip.parts;
  const word = (i: number): number => p[i] ?? 0;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const range = ip.range() as string;
  if (range === 'ipv4Mapped' || range === 'rfc6145') return v4(word(6), word(7));
  // 64:ff9b::/96, the well-known NAT64 prefix: the gateway would connect to the embedded address.
  if (word(0) === 0x64 && word(1) === 0xff9b && p.slice(2, 6).every((w) => w === 0)) {
    return v4(word(6), word(7));
  }
  if (range === '6to4') return v4(word(1), word(2));
  return null;
}

/** The forbidden-range key for an address, or null when it is a public unicast address. */
function forbiddenRange(ip: IP): string | null {
  if (ip.kind() === 'ipv4') {
    const range = ip.range() as string;
    return range === 'unicast' || range === 'as112' || range === 'amt' ? null : range;
  }
  const v6 = ip as ipaddr.IPv6;
  const embedded = embeddedIPv4(v6);
  if (embedded) return forbiddenRange(embedded);
  const range = v6.range() as string;
  const p = v6.parts;
  if (range === 'rfc6052') return 'nat64Local'; // 64:ff9b:1::/48, local-use NAT64
  // ::a.b.c.d (deprecated IPv4-compatible form): ipaddr.js calls it unicast, no network routes it.
  if (range === 'unicast' && p.slice(0, 6).every((w) => w === 0)) return 'ipv4Compatible';
  return range === 'unicast' || range === 'as112v6' || range === 'amt' ? null : range;
}

function parseAllowEntry(entry: string): { cidr: [IP, number] } | { name: string } {
  const trimmed = entry.trim();
  if (ipaddr.isValidCIDR(trimmed)) return { cidr: ipaddr.parseCIDR(trimmed) };
  if (ipaddr.isValid(trimmed)) {
    const ip = ipaddr.parse(trimmed);
    return { cidr: [ip, ip.kind() === 'ipv4' ? 32 : 128] };
  }
  if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(trimmed)) {
    return { name: trimmed.toLowerCase().replace(/\.$/, '') };
  }
  throw new Error(
    `PREFLIGHT_ALLOW_HOSTS entry "${entry}" is neither a CIDR (10.0.0.0/8), an IP address nor a host name.`,
  );
}

function matchesCidr(ip: IP, [range, bits]: [IP, number]): boolean {
  if (ip.kind() === range.kind()) return ip.match(range, bits);
  // Let an IPv4 allow-rule cover the IPv6 forms of the same address, and vice versa.
  if (ip.kind() === 'ipv6') {
    const embedded = embeddedIPv4(ip as ipaddr.IPv6);
    return embedded !== null && matchesCidr(embedded, [range, bits]);
  }
  return matchesCidr((ip as ipaddr.IPv4).toIPv4MappedAddress(), [range, bits]);
}

/**
 * This machine: 127.0.0.0/8, ::1, and ::ffff:127.x (the IPv4-mapped form, which the kernel
 * delivers to IPv4 loopback). Not the NAT64 (64:ff9b::7f00:1) or 6to4 (2002:7f00:1::) forms: a
 * connection to those leaves the machine for a gateway or relay, which then reaches *its* loopback.
 */
function isLoopback(ip: IP): boolean {
  if (ip.range() === 'loopback') return true;
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).range() === 'ipv4Mapped') {
    return (ip as ipaddr.IPv6).toIPv4Address().range() === 'loopback';
  }
  return false;
}

export function createAddressGuard(options: AddressGuardOptions): AddressGuard {
  const allowed = options.allowHosts.filter((e) => e.trim() !== '').map(parseAllowEntry);
  const allowedCidrs = allowed.flatMap((e) => ('cidr' in e ? [e.cidr] : []));
  const allowedNames = new Set(allowed.flatMap((e) => ('name' in e ? [e.name] : [])));
  const resolver = options.resolver ?? defaultResolver;

  const isAllowed = (ip: IP): boolean =>
    (options.allowLoopback && isLoopback(ip)) || allowedCidrs.some((c) => matchesCidr(ip, c));

  function refuse(label: string, host: string, canonical: string, ip: IP, range: string): never {
    const address = ip.toString();
    const word = RANGE_WORDS[range] ?? `a special-purpose address (${range})`;
    const v4 = ip.kind() === 'ipv6' ? embeddedIPv4(ip as ipaddr.IPv6) : ip;
    const what =
      v4?.toString() === METADATA_ADDRESS ? `${word} (the cloud metadata service)` : word;
    const shown = host === canonical ? host : `${host} (${canonical})`;
    const subject =
      canonical === address || ipaddr.isValid(canonical)
        ? `The ${label} ${shown} is ${what}`
        : `The ${label} ${shown} resolves to ${address}, ${what}`;
    throw new GuardError(
      `${subject}: the console only fetches public addresses. Add it to PREFLIGHT_ALLOW_HOSTS if this is intended.`,
      host,
      address,
    );
  }

  return {
    async check(host, label = 'image host') {
      const canonical = normaliseHost(host);
      const nameAllowed = allowedNames.has(canonical.replace(/\.$/, ''));
      let candidates: IP[];
      if (ipaddr.isValid(canonical)) {
        candidates = [ipaddr.parse(canonical)];
      } else {
        let answers: { address: string; family: number }[];
        try {
          answers = await resolver(canonical);
        } catch {
          throw new FetchError(
            'dns',
            `The ${label} ${canonical} could not be found (DNS). Check the URL's host name.`,
            host,
            { kind: 'dns', host: canonical },
          );
        }
        if (answers.length === 0) {
          throw new FetchError('dns', `The ${label} ${canonical} has no address (DNS).`, host, {
            kind: 'dns',
            host: canonical,
          });
        }
        candidates = answers.map((a) => {
          if (!ipaddr.isValid(a.address)) {
            throw new GuardError(
              `The ${label} ${canonical} resolved to "${a.address}", which is not an IP address.`,
              host,
              null,
            );
          }
          return ipaddr.parse(a.address);
        });
      }
      // Every answer must pass: a name with one public and one private address is refused,
      // since the connection could end up on either.
      for (const ip of candidates) {
        if (nameAllowed || isAllowed(ip)) continue;
        const range = forbiddenRange(ip);
        if (range !== null) refuse(label, host, canonical, ip, range);
      }
      const first = candidates[0];
      if (!first) {
        throw new FetchError('dns', `The ${label} ${canonical} has no address.`, host, {
          kind: 'dns',
          host: canonical,
        });
      }
      return { address: first.toString(), family: first.kind() === 'ipv4' ? 4 : 6 };
    },
  };
}
