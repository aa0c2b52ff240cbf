import { definePolicy } from '@apim/core';
import behindProxy from './examples/behind-proxy.json' with { type: 'json' };
import blacklist from './examples/blacklist.json' with { type: 'json' };
import { createIpFiltering } from './ip-filtering.js';
import { IpFilteringSchema } from './schema.js';

/** `ip-filtering`: allows or refuses client addresses. */
export const ipFilteringPolicy = definePolicy({
  id: 'ip-filtering',
  version: '1.0.0',
  name: 'IP filtering',
  description:
    "Allows (whitelist) or refuses (blacklist) callers by IPv4/IPv6 address or CIDR range: 403 IP_FILTERING_NOT_ALLOWED. The checked address is the connection's remote address, every X-Forwarded-For entry (`matchAllFromXForwardedFor`) or the result of `customIPAddress`; any blacklisted address refuses, and with a whitelist every address must be listed (stricter than Gravitee, which passes when one is). IPv4-mapped IPv6 addresses are compared as IPv4. Host names and EL in the lists are refused at deploy time (no DNS per request).",
  category: 'security',
  phases: ['request'],
  schema: IpFilteringSchema,
  examples: [blacklist, behindProxy],
  create: createIpFiltering,
});
