import { evalError } from './errors.js';
import { javaToString, numberToString, typeName } from './values.js';

const MAX_WIDTH = 10_000;
const SPEC = /%(?:(\d+)\$)?([-#+ 0,(]*)(\d+)?(?:\.(\d+))?([sSdfxXbBecn%])/g;

/**
 * A small subset of Java's `String.format`: `%s %S %d %f %e %x %X %b %c %n %%`, argument indexes (`%1$s`), width,
 * precision, and the `-`, `0`, `+` and `,` flags.
 *
 * @example
 * javaFormat('%s is %d years old', ['Ada', 36]); // 'Ada is 36 years old'
 */
export function javaFormat(format: string, args: unknown[]): string {
  let next = 0;
  return format.replace(
    SPEC,
    (
      _all,
      index: string | undefined,
      flags: string,
      width: string | undefined,
      precision: string | undefined,
      conversion: string,
    ) => {
      if (conversion === '%') return '%';
      if (conversion === 'n') return '\n';
      const at = index === undefined ? next++ : Number(index) - 1;
      if (at < 0 || at >= args.length)
        throw evalError('EL_INVALID_ARGUMENT', `format(): missing argument for '%${index ?? ''}${conversion}'`);
      if (Number(width ?? 0) > MAX_WIDTH || Number(precision ?? 0) > MAX_WIDTH)
        throw evalError('EL_INVALID_ARGUMENT', `format(): width and precision are limited to ${MAX_WIDTH}`);
      const text = convert(args[at], conversion, flags, precision);
      return pad(text, flags, width === undefined ? 0 : Number(width));
    },
  );
}

function convert(v: unknown, conversion: string, flags: string, precision: string | undefined): string {
  switch (conversion) {
    case 's':
    case 'S': {
      let text = javaToString(v);
      if (precision !== undefined) text = text.slice(0, Number(precision));
      return conversion === 'S' ? text.toUpperCase() : text;
    }
    case 'b':
    case 'B': {
      const text = v === null || v === undefined ? 'false' : typeof v === 'boolean' ? String(v) : 'true';
      return conversion === 'B' ? text.toUpperCase() : text;
    }
    case 'c':
      return typeof v === 'string' && v.length === 1 ? v : fail(conversion, v);
    case 'd': {
      if (typeof v !== 'number' || !Number.isInteger(v)) return fail(conversion, v);
      return sign(v, flags, grouping(numberToString(Math.abs(v)), flags));
    }
    case 'x':
    case 'X': {
      if (typeof v !== 'number' || !Number.isInteger(v)) return fail(conversion, v);
      const text = (v < 0 ? v >>> 0 : v).toString(16);
      return conversion === 'X' ? text.toUpperCase() : text;
    }
    case 'e':
    case 'f': {
      if (typeof v !== 'number') return fail(conversion, v);
      const digits = Math.min(100, precision === undefined ? 6 : Number(precision));
      const abs = Math.abs(v);
      const text = conversion === 'f' ? grouping(abs.toFixed(digits), flags) : abs.toExponential(digits);
      return sign(v, flags, text);
    }
    default:
      return fail(conversion, v);
  }
}

function fail(conversion: string, v: unknown): never {
  throw evalError('EL_INVALID_ARGUMENT', `format(): '%${conversion}' cannot format a ${typeName(v)}`);
}

function sign(v: number, flags: string, text: string): string {
  if (v < 0 || Object.is(v, -0)) return `-${text}`;
  return flags.includes('+') ? `+${text}` : flags.includes(' ') ? ` ${text}` : text;
}

function grouping(text: string, flags: string): string {
  if (!flags.includes(',')) return text;
  const [int, frac] = text.split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

function pad(text: string, flags: string, width: number): string {
  if (text.length >= width) return text;
  if (flags.includes('-')) return text.padEnd(width);
  if (flags.includes('0') && /^[+-]?\d/.test(text)) {
    const signChar = /^[+-]/.test(text) ? text[0]! : '';
    return signChar + text.slice(signChar.length).padStart(width - signChar.length, '0');
  }
  return text.padStart(width);
}
