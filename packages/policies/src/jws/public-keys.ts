import { createPublicKey, type KeyObject } from 'node:crypto';
import type { JwsConfig } from './schema.js';

/** Reads an OpenSSH `ssh-rsa AAAA... comment` key (RFC 4253 §6.6): exponent and modulus as length-prefixed integers. */
function sshRsaKey(text: string): KeyObject {
  const match = /^ssh-rsa\s+([A-Za-z0-9+/]+=*)(\s.*)?$/.exec(text);
  if (match === null) throw new Error('not an ssh-rsa key');
  const bytes = Buffer.from(match[1]!, 'base64');
  const fields: Buffer[] = [];
  let offset = 0;
  while (offset + 4 <= bytes.length && fields.length < 3) {
    const length = bytes.readUInt32BE(offset);
    if (offset + 4 + length > bytes.length) throw new Error('truncated ssh-rsa key');
    fields.push(bytes.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  if (fields.length !== 3 || fields[0]!.toString() !== 'ssh-rsa') throw new Error('malformed ssh-rsa key');
  const unsigned = (b: Buffer) => (b[0] === 0 ? b.subarray(1) : b).toString('base64url');
  return createPublicKey({ key: { kty: 'RSA', e: unsigned(fields[1]!), n: unsigned(fields[2]!) }, format: 'jwk' });
}

/** The configured keys by kid, imported once; throws a message naming the entry for anything unreadable. */
export function importPublicKeys(entries: JwsConfig['publicKeys']): Map<string, KeyObject> {
  if (entries.length === 0)
    throw new Error(
      "publicKeys: at least one key is required (Gravitee reads them from the gateway's policy.jws.kid.<kid> settings)",
    );
  const keys = new Map<string, KeyObject>();
  entries.forEach((entry, index) => {
    if (keys.has(entry.kid)) throw new Error(`publicKeys[${index}]: kid '${entry.kid}' is listed twice`);
    const text = entry.publicKey.trim();
    if (/PRIVATE KEY-----/.test(text))
      throw new Error(`publicKeys[${index}]: a private key was given; give the public key or the certificate`);
    let key: KeyObject;
    try {
      key = text.startsWith('ssh-') ? sshRsaKey(text) : createPublicKey(text);
    } catch (error) {
      throw new Error(
        `publicKeys[${index}]: not a PEM public key, certificate or ssh-rsa key (${(error as Error).message})`,
      );
    }
    keys.set(entry.kid, key);
  });
  return keys;
}

/** True when both keys are the same public key (compared by SPKI DER). */
export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }));
}
