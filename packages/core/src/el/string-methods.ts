import { evalError } from './errors.js';
import { intArg, type MethodSpec, m, methodTable, stringArg } from './method-table.js';
import { type JavaPattern, javaReplacer, toPattern } from './regex.js';
import { checkCollectionSize, checkString, type EvalState, stringTooLong } from './state.js';

/** Java `String` methods, by name. */
export const STRING_METHODS: ReadonlyMap<string, MethodSpec<string>> = methodTable<string>({
  charAt: m(1, 1, (_s, t, a) => t[checkIndex(intArg(a, 0, 'charAt'), t.length, 'charAt')]),
  compareTo: m(1, 1, (_s, t, a) => javaCompare(t, stringArg(a, 0, 'compareTo'))),
  compareToIgnoreCase: m(1, 1, (_s, t, a) =>
    javaCompare(t.toLowerCase(), stringArg(a, 0, 'compareToIgnoreCase').toLowerCase()),
  ),
  concat: m(1, 1, (s, t, a) => checkString(s, t + stringArg(a, 0, 'concat'))),
  contains: m(1, 1, (_s, t, a) => t.includes(stringArg(a, 0, 'contains'))),
  endsWith: m(1, 1, (_s, t, a) => t.endsWith(stringArg(a, 0, 'endsWith'))),
  equals: m(1, 1, (_s, t, a) => a[0] === t),
  equalsIgnoreCase: m(1, 1, (_s, t, a) => typeof a[0] === 'string' && a[0].toLowerCase() === t.toLowerCase()),
  hashCode: m(0, 0, (_s, t) => javaHash(t)),
  indexOf: m(1, 2, (_s, t, a) => t.indexOf(stringArg(a, 0, 'indexOf'), a.length > 1 ? intArg(a, 1, 'indexOf') : 0)),
  isBlank: m(0, 0, (_s, t) => t.trim() === ''),
  isEmpty: m(0, 0, (_s, t) => t.length === 0),
  lastIndexOf: m(1, 2, (_s, t, a) =>
    a.length > 1
      ? t.lastIndexOf(stringArg(a, 0, 'lastIndexOf'), intArg(a, 1, 'lastIndexOf'))
      : t.lastIndexOf(stringArg(a, 0, 'lastIndexOf')),
  ),
  length: m(0, 0, (_s, t) => t.length),
  matches: m(1, 1, (_s, t, a) => toPattern(a[0], 'matches').matchesFully(t)),
  repeat: m(1, 1, (s, t, a) => {
    const n = intArg(a, 0, 'repeat');
    if (n < 0) throw evalError('EL_INVALID_ARGUMENT', `repeat(): count is negative: ${n}`);
    if (t.length * n > s.maxStringLength) stringTooLong(s, t.length * n);
    return t.repeat(n);
  }),
  replace: m(2, 2, (s, t, a) => {
    const replacement = stringArg(a, 1, 'replace');
    return checkString(
      s,
      t.replaceAll(stringArg(a, 0, 'replace'), () => replacement),
    );
  }),
  replaceAll: m(2, 2, (s, t, a) =>
    checkString(s, t.replace(toPattern(a[0], 'replaceAll').global, javaReplacer(stringArg(a, 1, 'replaceAll')))),
  ),
  replaceFirst: m(2, 2, (s, t, a) =>
    replaceFirst(s, t, toPattern(a[0], 'replaceFirst'), stringArg(a, 1, 'replaceFirst')),
  ),
  split: m(1, 2, (s, t, a) => javaSplit(s, t, toPattern(a[0], 'split'), a.length > 1 ? intArg(a, 1, 'split') : 0)),
  startsWith: m(1, 2, (_s, t, a) =>
    t.startsWith(stringArg(a, 0, 'startsWith'), a.length > 1 ? intArg(a, 1, 'startsWith') : 0),
  ),
  strip: m(0, 0, (_s, t) => t.trim()),
  stripLeading: m(0, 0, (_s, t) => t.trimStart()),
  stripTrailing: m(0, 0, (_s, t) => t.trimEnd()),
  substring: m(1, 2, (_s, t, a) => {
    const begin = intArg(a, 0, 'substring');
    const end = a.length > 1 ? intArg(a, 1, 'substring') : t.length;
    if (begin < 0 || end > t.length || begin > end)
      throw evalError('EL_INDEX_OUT_OF_BOUNDS', `substring(): begin ${begin}, end ${end}, length ${t.length}`);
    return t.substring(begin, end);
  }),
  toCharArray: m(0, 0, (s, t) => {
    checkCollectionSize(s, t.length);
    return [...t.split('')];
  }),
  toLowerCase: m(0, 0, (s, t) => checkString(s, t.toLowerCase())),
  toString: m(0, 0, (_s, t) => t),
  toUpperCase: m(0, 0, (s, t) => checkString(s, t.toUpperCase())),
  trim: m(0, 0, (_s, t) => javaTrim(t)),
});

/** Java `String.trim`: removes characters up to U+0020 at both ends. */
function javaTrim(t: string): string {
  let start = 0;
  let end = t.length;
  while (start < end && t.charCodeAt(start) <= 32) start++;
  while (end > start && t.charCodeAt(end - 1) <= 32) end--;
  return t.slice(start, end);
}

function checkIndex(i: number, length: number, method: string): number {
  if (i < 0 || i >= length)
    throw evalError('EL_INDEX_OUT_OF_BOUNDS', `${method}(): index ${i} is out of bounds for length ${length}`);
  return i;
}

/** Java `String.compareTo`: the difference of the first differing UTF-16 units, else of the lengths. */
export function javaCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Java `String.hashCode`. */
export function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

function replaceFirst(s: EvalState, input: string, pattern: JavaPattern, replacement: string): string {
  const re = pattern.global;
  const match = re.exec(input);
  if (match === null) return input;
  const replacer = javaReplacer(replacement);
  const args: unknown[] = [...match.slice(1), match.index, input];
  if (match.groups !== undefined) args.push(match.groups);
  const replaced = replacer(match[0], ...args);
  return checkString(s, input.slice(0, match.index) + replaced + input.slice(match.index + match[0].length));
}

/** Java `String.split(regex, limit)`: no empty leading piece for a zero-width match, trailing empties dropped. */
function javaSplit(s: EvalState, input: string, pattern: JavaPattern, limit: number): string[] {
  const re = pattern.global;
  const parts: string[] = [];
  let index = 0;
  let match: RegExpExecArray | null = re.exec(input);
  while (match !== null) {
    const start = match.index;
    const end = start + match[0].length;
    if (match[0].length === 0) re.lastIndex++;
    if (limit <= 0 || parts.length < limit - 1) {
      if (!(index === 0 && start === 0 && end === 0)) {
        parts.push(input.slice(index, start));
        index = end;
        checkCollectionSize(s, parts.length);
      }
    } else break;
    if (re.lastIndex > input.length) break;
    match = re.exec(input);
  }
  if (index === 0) return [input];
  parts.push(input.slice(index));
  if (limit === 0) while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}
