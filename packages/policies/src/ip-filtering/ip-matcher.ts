import { BlockList, isIP } from 'node:net';

type Family = 'ipv4' | 'ipv6';

interface Entry {
  block: BlockList;
  /** Addresses of the range that do not match (network and broadcast, Gravitee's non-inclusive host count). */
  excluded: readonly string[];
}

/** A set of IPv4/IPv6 addresses and CIDR ranges, built once per deployment. */
export interface IpMatcher {
  readonly size: number;
  matches(ip: string): boolean;
}

const familyOf = (address: string): Family | undefined => {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
};

/**
 * The address as checked: brackets and IPv4 ports removed, IPv4-mapped IPv6 (`::ffff:10.0.0.1`) as IPv4; undefined
 * when it is not an IP address.
 *
 * @example normaliseIp('[::ffff:10.0.0.1]'); // '10.0.0.1'
 */
export function normaliseIp(raw: string): string | undefined {
  let ip = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (bracketed !== null) ip = bracketed[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(':'));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped !== null) ip = mapped[1]!;
  return familyOf(ip) === undefined ? undefined : ip;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

const intToIpv4 = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

function parseEntry(text: string, inclusiveHostCount: boolean, where: string): Entry {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const family = familyOf(address);
  if (family === undefined) {
    const hint = /^[a-z0-9.-]+$/i.test(address)
      ? ': host names are not supported (resolving DNS per request is not acceptable); list the addresses'
      : '';
    throw new Error(`${where}: '${text}' is not an IPv4/IPv6 address or CIDR range${hint}`);
  }
  const max = family === 'ipv4' ? 32 : 128;
  const block = new BlockList();
  if (slash === -1) {
    block.addAddress(address, family);
    return { block, excluded: [] };
  }
  const prefixText = text.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > max)
    throw new Error(`${where}: '${text}' has an invalid prefix length (0 to ${max})`);
  block.addSubnet(address, prefix, family);
  if (family === 'ipv6' || inclusiveHostCount || prefix > 30) return { block, excluded: [] };
  const size = 2 ** (32 - prefix);
  const network = Math.floor(ipv4ToInt(address) / size) * size;
  return { block, excluded: [intToIpv4(network), intToIpv4(network + size - 1)] };
}

/**
 * Compiles addresses and CIDR ranges (several per entry when comma-separated); throws a message naming the
 * entry for anything else. As Gravitee's SubnetUtils, a non-inclusive IPv4 range of /30 or wider leaves out its
 * network and broadcast addresses; an address listed alone always matches.
 *
 * @example compileIpMatcher(['10.0.0.0/8', '2001:db8::/32'], false, 'whitelistIps').matches('10.1.2.3'); // true
 */
export function compileIpMatcher(entries: readonly string[], inclusiveHostCount: boolean, field: string): IpMatcher {
  const compiled: Entry[] = [];
  entries.forEach((entry, index) => {
    if (/\{\s*[#T(]/.test(entry))
      throw new Error(`${field}[${index}]: EL expressions are not supported here; list the addresses`);
    for (const part of entry.split(',')) {
      const text = part.trim();
      if (text !== '') compiled.push(parseEntry(text, inclusiveHostCount, `${field}[${index}]`));
    }
  });
  return {
    size: compiled.length,
    matches(raw: string): boolean {
      const ip = normaliseIp(raw);
      if (ip === undefined) return false;
      const family = familyOf(ip)!;
      return compiled.some((e) => checks(e.block, ip, family) && !e.excluded.includes(ip));
    },
  };
}

function checks(block: BlockList, ip: string, family: Family): boolean {
  try {
    return block.check(ip, family);
  } catch {
    return false;
  }
}
