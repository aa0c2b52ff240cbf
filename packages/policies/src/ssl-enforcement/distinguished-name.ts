/**
 * Distinguished names as the ssl-enforcement whitelist compares them (RFC 4514 syntax): attribute types by name or
 * OID, values canonicalised (unescaped, trimmed, inner spaces collapsed, lower-cased) as BouncyCastle's
 * `IETFUtils.canonicalize` does for Gravitee.
 */

export interface DnAttribute {
  type: string;
  value: string;
}

export interface DnPattern {
  type: string;
  value: RegExp;
}

/** Types by OID and alias, to the names Node and OpenSSL print. */
const TYPE_ALIASES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SURNAME',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '2.5.4.42': 'GIVENNAME',
  '1.2.840.113549.1.9.1': 'EMAILADDRESS',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  E: 'EMAILADDRESS',
  EMAIL: 'EMAILADDRESS',
  S: 'ST',
  TITLE: 'T',
  SN: 'SURNAME',
  GN: 'GIVENNAME',
};

export function canonicalType(type: string): string {
  const upper = type
    .trim()
    .replace(/^OID\./i, '')
    .toUpperCase();
  return TYPE_ALIASES[upper] ?? upper;
}

export function canonicalValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Parses `CN=client,O=Example\, Inc.+OU=Dev`: `,` and `+` separate attributes (a multi-valued RDN is flattened),
 * `\` escapes a character or two hex digits. Throws for a component without `type=value`.
 *
 * @example parseDn('CN=client, O=Example'); // [{ type: 'CN', value: 'client' }, { type: 'O', value: 'example' }]
 */
export function parseDn(dn: string): DnAttribute[] {
  const out: DnAttribute[] = [];
  let current = '';
  let escaped = '';
  const flush = () => {
    const eq = current.indexOf('=');
    const type = eq === -1 ? '' : current.slice(0, eq).trim();
    if (!/^([A-Za-z][A-Za-z0-9-]*|(OID\.)?\d+(\.\d+)*)$/i.test(type))
      throw new Error(`'${current.trim()}' is not a type=value attribute`);
    out.push({ type: canonicalType(type), value: unescapeValue(current.slice(eq + 1)) });
    current = '';
  };
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i]!;
    if (c === '\\' && i + 1 < dn.length) {
      // Keep escapes as they are until the value is unescaped, so `\,` does not split.
      escaped = /^[0-9a-f]{2}$/i.test(dn.slice(i + 1, i + 3)) ? dn.slice(i, i + 3) : dn.slice(i, i + 2);
      current += escaped;
      i += escaped.length - 1;
    } else if (c === ',' || c === '+' || c === ';') flush();
    else current += c;
  }
  flush();
  return out;
}

function unescapeValue(raw: string): string {
  const bytes: number[] = [];
  let text = '';
  const flushBytes = () => {
    if (bytes.length > 0) text += Buffer.from(bytes).toString('utf8');
    bytes.length = 0;
  };
  for (let i = 0; i < raw.length; i++) {
    const hex = raw[i] === '\\' ? /^[0-9a-f]{2}/i.exec(raw.slice(i + 1)) : null;
    if (hex !== null) {
      bytes.push(Number.parseInt(hex[0], 16));
      i += 2;
      continue;
    }
    flushBytes();
    if (raw[i] === '\\' && i + 1 < raw.length) i++;
    text += raw[i];
  }
  flushBytes();
  return canonicalValue(text);
}

/** An Ant pattern on one value (Spring's AntPathMatcher, as Gravitee): `*` and `?` stop at `/`, `**` does not. */
function antValue(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/** Compiles a whitelist entry; throws a message for a malformed DN. */
export function compileDnPattern(dn: string): DnPattern[] {
  return parseDn(dn).map((a) => ({ type: a.type, value: antValue(a.value) }));
}

/**
 * True when `subject` has as many attributes as `pattern` and each pattern attribute matches a distinct subject
 * attribute of the same type (greedy, in any order, as Gravitee's X500NameComparator).
 */
export function dnMatches(pattern: readonly DnPattern[], subject: readonly DnAttribute[]): boolean {
  if (pattern.length !== subject.length) return false;
  const used = new Array<boolean>(subject.length).fill(false);
  for (const p of pattern) {
    const index = subject.findIndex((s, i) => !used[i] && s.type === p.type && p.value.test(s.value));
    if (index === -1) return false;
    used[index] = true;
  }
  return true;
}

/** The subject of a Node certificate (`x509.toLegacyObject().subject` / `getPeerCertificate().subject`). */
export function dnOfLegacySubject(subject: Readonly<Record<string, string | string[] | undefined>>): DnAttribute[] {
  const out: DnAttribute[] = [];
  for (const [type, value] of Object.entries(subject)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value])
      out.push({ type: canonicalType(type), value: canonicalValue(item) });
  }
  return out;
}
