/**
 * An opt-in guard against server-side request forgery: refuses loopback, private, link-local and unique-local
 * addresses, checking IP literals directly and host names after DNS resolution (at connect time, so a name that
 * resolves to a private address is refused even if it changes between checks).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
] as const)
  blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  blocked.addSubnet(network, prefix, 'ipv6');

/**
 * True for an address the guard refuses: 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.168/16, `::`,
 * `::1`, fc00::/7, fe80::/10, and IPv4-mapped IPv6 forms of the IPv4 ones.
 *
 * @example isPrivateAddress('192.168.1.10'); // true
 */
export function isPrivateAddress(address: string): boolean {
  const host = address.startsWith('[') ? address.slice(1, -1) : address;
  const family = isIP(host);
  if (family === 4) return blocked.check(host, 'ipv4');
  if (family !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  if (mapped !== null) return blocked.check(mapped[1]!, 'ipv4');
  return blocked.check(host, 'ipv6');
}

/** The error a refused address gives. */
export class PrivateAddressError extends Error {
  constructor(host: string, address: string) {
    super(`refused to connect to ${host} (${address}): private addresses are blocked`);
  }
}

/** A `lookup` for `net.connect` (undici's `connect` option) that fails when a resolved address is private. */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const refused = addresses.find((a) => isPrivateAddress(a.address));
    if (refused !== undefined) return callback(new PrivateAddressError(hostname, refused.address), '', 0);
    if (options.all === true) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
};
