/**
 * Path mappings (`listener.pathMappings`, v2 `path_mappings`): patterns such as `/products/:id` that analytics group
 * requests by. Compiled once per deployment into sticky regular expressions that match the request URL in place,
 * from the end of the context path, so matching slices no string.
 */

interface CompiledMapping {
  readonly pattern: string;
  readonly regex: RegExp;
  readonly parameters: number;
}

const PARAMETER = /:\w*/g;

/**
 * The regular expression of one mapping: `:name` matches one non-empty path segment, trailing slashes are allowed,
 * and the match ends at the end of the path (before any query string), as Gravitee's `[^/]*` + `/*` patterns do.
 *
 * @example compilePathMapping('/users/:id').source // '\\/users\\/[^/?]+\\/*(?:\\?|$)'
 */
export function compilePathMapping(pattern: string): RegExp {
  const trimmed = pattern.trim().replace(/\/+$/, '');
  const source = trimmed
    .split(PARAMETER)
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('[^/?]+');
  return new RegExp(`${source}\\/*(?:\\?|$)`, 'y');
}

/** The compiled path mappings of an API. */
export class PathMappings {
  readonly #mappings: readonly CompiledMapping[];

  /** Compiles the patterns; the fewer parameters a mapping has, the sooner it is tried (Gravitee's precedence). */
  constructor(patterns: readonly string[]) {
    this.#mappings = patterns
      .filter((pattern) => pattern.trim() !== '')
      .map((pattern) => ({
        pattern,
        regex: compilePathMapping(pattern),
        parameters: pattern.match(PARAMETER)?.length ?? 0,
      }))
      .sort((a, b) => a.parameters - b.parameters);
  }

  get size(): number {
    return this.#mappings.length;
  }

  /**
   * The mapping matching the path of `url` that starts at `offset` (the end of the context path), or undefined.
   *
   * @example mappings.match('/shop/products/42?full', 5) // '/products/:id'
   */
  match(url: string, offset: number): string | undefined {
    for (const mapping of this.#mappings) {
      mapping.regex.lastIndex = offset;
      if (mapping.regex.test(url)) return mapping.pattern;
    }
    return undefined;
  }
}
