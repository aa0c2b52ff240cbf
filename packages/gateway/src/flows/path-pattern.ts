/**
 * HTTP selector paths compiled once per deployment: `/users/:id` with STARTS_WITH or EQUALS, and Gravitee's
 * best-match scoring between the flows that matched.
 */

/** A compiled selector path. */
export interface PathPattern {
  readonly path: string;
  /** The parameters of a matching path (`{}` when it has none), or undefined when the path does not match. */
  match(pathInfo: string): Record<string, string> | undefined;
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Compiles a selector path. A `:name` segment matches one non-empty segment and is captured. EQUALS matches the
 * whole path (a trailing slash is tolerated); STARTS_WITH matches the path and anything below it, on a segment
 * boundary (`/users` matches `/users` and `/users/1`, not `/users-admin`).
 *
 * @example compilePathPattern('/users/:id', 'EQUALS').match('/users/42'); // { id: '42' }
 */
export function compilePathPattern(path: string, operator: 'STARTS_WITH' | 'EQUALS'): PathPattern {
  const normalised = path.replace(/\/+$/, '');
  const names: string[] = [];
  const body = normalised
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':') && segment.length > 1) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return escapeRegex(segment);
    })
    .join('/');
  const regex = new RegExp(`^${body}${operator === 'EQUALS' ? '/?' : '(?:/.*)?'}$`);
  if (names.length === 0) {
    if (operator === 'STARTS_WITH' && normalised === '') return { path, match: () => NO_PARAMS };
    return { path, match: (pathInfo) => (regex.test(pathInfo) ? NO_PARAMS : undefined) };
  }
  return {
    path,
    match(pathInfo) {
      const m = regex.exec(pathInfo);
      if (m === null) return undefined;
      const params: Record<string, string> = {};
      for (let i = 0; i < names.length; i++) params[names[i]!] = decode(m[i + 1]!);
      return params;
    },
  };
}

/**
 * Gravitee's best match (AbstractBestMatchFlowSelector): each segment of a flow's path scores 1 when it equals the
 * request's segment (or the request has no such segment), 0.5 for a `:param`, 0 otherwise; scores are compared
 * left to right and the first higher score wins; a longer path beats a shorter one with equal prefix scores; on a
 * tie the earlier flow stays. Flows without a path (no HTTP selector) are never the best match, as in Gravitee.
 */
export function bestMatch<T>(
  candidates: readonly T[],
  pathOf: (flow: T) => string | undefined,
  pathInfo: string,
): T | undefined {
  const request = pathInfo.split('/');
  let selected: T | undefined;
  let selectedScores: number[] = [];
  for (const flow of candidates) {
    const path = pathOf(flow);
    if (path === undefined) continue;
    const splits = path.split('/');
    const scores: number[] = [];
    for (let i = 0; i < splits.length; i++) {
      const part = splits[i]!;
      scores[i] = i >= request.length || part === request[i] ? 1 : part.startsWith(':') ? 0.5 : 0;
      if (selected === undefined) {
        selected = flow;
        selectedScores = scores;
      }
      if (i === selectedScores.length) {
        selected = flow;
        selectedScores = scores;
      }
      if (scores[i]! < selectedScores[i]!) break;
      if (scores[i]! > selectedScores[i]!) {
        selected = flow;
        selectedScores = scores;
      }
    }
  }
  return selected;
}
