import { createHash, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** How a configured password is checked: a constant-time comparison of digests, or scrypt. */
export type PasswordVerifier =
  | { kind: 'plain'; digest: Buffer }
  | { kind: 'scrypt'; ln: number; r: number; p: number; salt: Buffer; key: Buffer };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Reads a configured password: a PHC scrypt hash in the management API's format
 * (`$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, base64 without padding) or plain text. bcrypt hashes (`$2a$`, `$2b$`,
 * `$2y$`) and other `$id$` hashes are refused with a message, since no bcrypt implementation ships with the gateway.
 *
 * @example parsePassword('$scrypt$ln=15,r=8,p=1$c2FsdHNhbHQ$...', 'users[0].password');
 */
export function parsePassword(stored: string, where: string): PasswordVerifier {
  if (/^\$2[abxy]?\$/.test(stored))
    throw new Error(
      `${where}: bcrypt hashes are not supported; use a scrypt hash ($scrypt$ln=15,r=8,p=1$<salt>$<hash>, as the management API writes them)`,
    );
  if (stored.startsWith('$scrypt$')) {
    const match = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(stored);
    if (match === null) throw new Error(`${where}: malformed scrypt hash (expected $scrypt$ln=..,r=..,p=..$salt$hash)`);
    const [ln, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (ln < 10 || ln > 20 || r < 1 || r > 32 || p < 1 || p > 16)
      throw new Error(`${where}: scrypt cost out of bounds (ln 10-20, r 1-32, p 1-16)`);
    const salt = Buffer.from(match[4]!, 'base64');
    const key = Buffer.from(match[5]!, 'base64');
    if (salt.length < 8 || key.length < 16) throw new Error(`${where}: scrypt salt or hash too short`);
    return { kind: 'scrypt', ln, r, p, salt, key };
  }
  if (/^\$[a-z0-9-]+\$/i.test(stored))
    throw new Error(`${where}: unsupported password hash scheme; use plain text or a scrypt hash`);
  return { kind: 'plain', digest: sha256(stored) };
}

/** True when `password` matches, compared in constant time. scrypt runs on the libuv thread pool. */
export async function verifyPassword(password: string, verifier: PasswordVerifier): Promise<boolean> {
  if (verifier.kind === 'plain') return timingSafeEqual(sha256(password), verifier.digest);
  const N = 2 ** verifier.ln;
  const options: ScryptOptions = { N, r: verifier.r, p: verifier.p, maxmem: 256 * N * verifier.r };
  const key = await new Promise<Buffer>((resolve, reject) => {
    scrypt(password.normalize('NFC'), verifier.salt, verifier.key.length, options, (error, derived) =>
      error ? reject(error) : resolve(derived),
    );
  });
  return timingSafeEqual(key, verifier.key);
}
