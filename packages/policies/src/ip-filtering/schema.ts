import { ElTemplate } from '@apim/core';
import { type Static, Type } from '@sinclair/typebox';

const IpList = (title: string, description: string) =>
  Type.Array(Type.String({ minLength: 1, title: 'IP or CIDR' }), { title, description, default: [] });

/** Configuration of `ip-filtering` (Gravitee field names). */
export const IpFilteringSchema = Type.Object(
  {
    matchAllFromXForwardedFor: Type.Boolean({
      title: 'Use X-Forwarded-For header',
      description:
        'Check every address of the X-Forwarded-For header instead of the connection address (the remote address when the header is missing). Only trust this behind a proxy that sets the header.',
      default: false,
    }),
    whitelistIps: IpList(
      'IPs whitelist (CIDR allowed)',
      'When not empty, only these IPv4/IPv6 addresses or CIDR ranges may call (10.0.0.1, 10.0.0.0/8, 2001:db8::/32; several may be comma-separated). Host names are refused at deploy time.',
    ),
    blacklistIps: IpList(
      'IPs blacklist (CIDR allowed)',
      'Addresses or CIDR ranges refused; the blacklist wins over the whitelist.',
    ),
    useCustomIPAddress: Type.Boolean({
      title: 'Use a custom IP address',
      description: 'Check the address(es) computed by customIPAddress instead of the remote address.',
      default: false,
    }),
    customIPAddress: Type.Optional(
      ElTemplate({
        title: 'Custom IP address',
        description:
          "EL template giving the address(es) to check, comma-separated: {#request.headers['X-Real-IP'][0]}.",
      }),
    ),
    isInclusiveHostCount: Type.Boolean({
      title: 'Inclusive host count',
      description:
        'As Gravitee: by default an IPv4 range of /30 or wider does not match its network and broadcast addresses; true makes it match them.',
      default: false,
    }),
    lookupIpVersion: Type.Optional(
      Type.Unsafe<'ALL' | 'IPV4' | 'IPV6'>({
        type: 'string',
        enum: ['ALL', 'IPV4', 'IPV6'],
        title: 'Lookup IP version',
        description: 'Accepted for Gravitee compatibility; unused, since host names are not resolved.',
      }),
    ),
  },
  { title: 'IP filtering' },
);
export type IpFilteringConfig = Static<typeof IpFilteringSchema>;
