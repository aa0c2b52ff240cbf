import type { ExecutionContext, InterruptOptions, PolicyInstance } from '@apim/core';
import { evaluateText, templateValue } from '../common/el-values.js';
import { compileIpMatcher, type IpMatcher } from './ip-matcher.js';
import type { IpFilteringConfig } from './schema.js';

/** The error key of a refused address (usable in response templates). */
export const IP_FILTERING_NOT_ALLOWED = 'IP_FILTERING_NOT_ALLOWED';

/** Gravitee's 403 and message, naming the refused address(es). */
export function notAllowed(ips: string): InterruptOptions {
  return {
    status: 403,
    key: IP_FILTERING_NOT_ALLOWED,
    message: `Your IP (${ips}) or some proxies whereby your request pass through are not allowed to reach this resource.`,
  };
}

const splitList = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/**
 * Decides for the addresses of one request: any blacklisted address refuses; with a whitelist, every address must
 * be whitelisted. Undefined when the request may pass.
 */
export function filterIps(
  ips: readonly string[],
  whitelist: IpMatcher,
  blacklist: IpMatcher,
): InterruptOptions | undefined {
  const blacklisted = ips.find((ip) => blacklist.matches(ip));
  if (blacklisted !== undefined) return notAllowed(blacklisted);
  if (whitelist.size === 0) return undefined;
  const refused = ips.filter((ip) => !whitelist.matches(ip));
  return refused.length === 0 ? undefined : notAllowed(refused.join(', '));
}

/**
 * Builds the instance: the lists are parsed once (a host name, an EL expression or a bad CIDR fails the
 * deployment). Per request the addresses are the custom ones (`useCustomIPAddress`), every X-Forwarded-For entry
 * (`matchAllFromXForwardedFor`, falling back to the remote address without the header), or the remote address.
 */
export function createIpFiltering(config: Readonly<IpFilteringConfig>): PolicyInstance {
  const whitelist = compileIpMatcher(config.whitelistIps, config.isInclusiveHostCount, 'whitelistIps');
  const blacklist = compileIpMatcher(config.blacklistIps, config.isInclusiveHostCount, 'blacklistIps');
  if (config.useCustomIPAddress && (config.customIPAddress ?? '').trim() === '')
    throw new Error('customIPAddress is required when useCustomIPAddress is true');
  const custom = config.useCustomIPAddress ? templateValue(config.customIPAddress!) : undefined;

  const addresses = (exec: ExecutionContext): string[] | undefined => {
    if (custom !== undefined) {
      try {
        return splitList(evaluateText(custom, exec) ?? '');
      } catch (error) {
        exec.logger.warn({ err: error }, 'ip-filtering: customIPAddress could not be evaluated');
        return undefined;
      }
    }
    if (config.matchAllFromXForwardedFor) {
      const forwarded = splitList((exec.request.headers.get('x-forwarded-for') ?? []).join(','));
      if (forwarded.length > 0) return forwarded;
    }
    return [exec.request.remoteAddress];
  };

  return {
    onRequest(exec): void {
      const ips = addresses(exec);
      // A failing custom expression refuses; no address at all cannot be whitelisted.
      if (ips === undefined) {
        exec.interrupt(notAllowed(exec.request.remoteAddress));
        return;
      }
      if (ips.length === 0) {
        if (whitelist.size > 0) exec.interrupt(notAllowed(exec.request.remoteAddress));
        return;
      }
      const refusal = filterIps(ips, whitelist, blacklist);
      if (refusal !== undefined) exec.interrupt(refusal);
    },
  };
}
