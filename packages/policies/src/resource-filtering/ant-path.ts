/**
 * Ant-style path patterns, as Spring's AntPathMatcher reads them: `?` one character, `*` any characters within a
 * segment, `**` any number of segments (`/a/**` matches `/a`, `/a/b` and `/a/b/c`). Compiled once to a RegExp.
 *
 * @example compileAntPattern('/users/*').test('/users/42'); // true
 */
export function compileAntPattern(pattern: string): RegExp {
  const segments = (pattern.startsWith('/') ? pattern.slice(1) : pattern).split('/');
  let source = '^';
  for (const segment of segments) {
    if (segment === '**') {
      source += '(?:/.*)?';
      continue;
    }
    source += '/';
    for (const ch of segment) {
      if (ch === '*') source += '[^/]*';
      else if (ch === '?') source += '[^/]';
      else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`${source}$`);
}
