/**
 * Dot segments in request paths, resolved before routing (RFC 3986 §5.2.4,
 * https://www.rfc-editor.org/rfc/rfc3986#section-5.2.4), so that `/api/../admin` neither reaches the API listening on
 * `/api` nor climbs out of an endpoint's base path once appended to it (`/v1/../../admin` at the upstream).
 * Percent-encoded dots (`%2e`) count as dots (RFC 3986 §6.2.2.2: they are unreserved characters). Nothing else is
 * rewritten: other escapes, repeated slashes and the query string go through unchanged.
 */

/** A segment starting with a dot, plain or encoded: the only paths that need the full pass. */
const DOT_SEGMENT_HINT = /\/(?:\.|%2e)/i;

/** 1 for `.`, 2 for `..` (plain or percent-encoded), 0 for any other segment. */
function dotSegment(segment: string): 0 | 1 | 2 {
  if (segment.length === 0 || segment.length > 6) return 0;
  const plain = segment.length > 2 ? segment.replace(/%2e/gi, '.') : segment;
  if (plain === '.') return 1;
  if (plain === '..') return 2;
  return 0;
}

/**
 * The request target with its path's dot segments resolved; the same string when it has none (the common case costs
 * one regular expression test). Returns undefined when `..` segments climb above the root, which the gateway answers
 * 400 (as nginx does) rather than guessing. Targets not in origin form (`*`, absolute URLs) are returned unchanged.
 *
 * @example normalizeRequestTarget('/api/v1/../v2/./items?x=/../y') // '/api/v2/items?x=/../y'
 * @example normalizeRequestTarget('/api/../../etc') // undefined
 */
export function normalizeRequestTarget(target: string): string | undefined {
  if (target.charCodeAt(0) !== 47 /* / */) return target;
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (!DOT_SEGMENT_HINT.test(path)) return target;
  const segments = path.split('/');
  const out: string[] = [];
  const last = segments.length - 1;
  for (let i = 1; i <= last; i++) {
    const segment = segments[i]!;
    const dots = dotSegment(segment);
    if (dots === 0) {
      out.push(segment);
      continue;
    }
    if (dots === 2) {
      if (out.length === 0) return undefined;
      out.pop();
    }
    // A path ending in a dot segment names a directory: it keeps its trailing slash.
    if (i === last) out.push('');
  }
  const normalized = `/${out.join('/')}`;
  return query === -1 ? normalized : normalized + target.slice(query);
}
