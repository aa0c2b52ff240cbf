/**
 * The endpoint override a policy may set for one exchange (`gravitee.attribute.request.endpoint`, written by
 * dynamic-routing): either `name:` with an optional path, resolved against the endpoint of that name, or an absolute
 * URL. An absolute URL must have the origin of one of the API's endpoints: the gateway never calls an address the
 * API definition does not name (a rule or an EL expression built from request data cannot reach an internal host).
 */
import type { EndpointGroupRuntime, EndpointRuntime } from '../endpoint-group.js';

/** Where one exchange goes instead of the balancer's choice. */
export interface RoutedEndpoint {
  endpoint: EndpointRuntime;
  /** The upstream request target (path and query). */
  path: string;
}

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Resolves the override; undefined when it names no endpoint of the group (unknown name, foreign origin, bad URL).
 *
 * @example resolveRoutedEndpoint(group, 'backend-b:/v2/users') // backend-b, its base path joined with /v2/users
 */
export function resolveRoutedEndpoint(
  group: EndpointGroupRuntime | undefined,
  value: string,
): RoutedEndpoint | undefined {
  if (group === undefined) return undefined;
  if (ABSOLUTE.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return undefined;
    }
    const endpoint = group.endpoints.find((e) => e.origin === url.origin);
    return endpoint === undefined ? undefined : { endpoint, path: `${url.pathname}${url.search}` };
  }
  const colon = value.indexOf(':');
  if (colon <= 0) return undefined;
  const name = value.slice(0, colon);
  const endpoint = group.endpoints.find((e) => e.name === name);
  if (endpoint === undefined) return undefined;
  const rest = value.slice(colon + 1);
  return { endpoint, path: endpoint.upstreamPath(rest === '' || rest.startsWith('/') ? rest : `/${rest}`) };
}
