import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject, X509Certificate } from 'node:crypto';
import type { GenerateJwtConfig } from './schema.js';

/** What signing needs, built once per deployment. */
export interface SigningKey {
  alg: 'RS256' | 'HS256' | 'HS384' | 'HS512';
  key: KeyObject;
  /** The x5c header (base64 DER, leaf first), with X5C. */
  x5c?: string[];
}

const HMAC_MIN_BYTES = { HMAC_HS256: 32, HMAC_HS384: 48, HMAC_HS512: 64 } as const;

function rsaKey(config: Readonly<GenerateJwtConfig>): SigningKey {
  const pem = config.content;
  const block = /-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END \1?PRIVATE KEY-----/.exec(pem);
  if (block === null) throw new Error('content: no PEM private key (-----BEGIN PRIVATE KEY----- or RSA PRIVATE KEY)');
  if (block[1] === 'ENCRYPTED ') throw new Error('content: encrypted private keys are not supported');
  let key: KeyObject;
  try {
    key = createPrivateKey(block[0]);
  } catch (error) {
    throw new Error(`content: the private key cannot be read (${(error as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'rsa')
    throw new Error(`content: RSA_RS256 needs an RSA key, not ${key.asymmetricKeyType}`);
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
    throw new Error('content: RSA_RS256 needs a key of 2048 bits or more');
  if (config.x509CertificateChain !== 'X5C') return { alg: 'RS256', key };
  const certificates = [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => {
    try {
      return new X509Certificate(m[0]);
    } catch (error) {
      throw new Error(`content: a certificate cannot be read (${(error as Error).message})`);
    }
  });
  if (certificates.length === 0)
    throw new Error('x509CertificateChain X5C: content must hold the certificate chain after the private key');
  const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
  if (!spki(certificates[0]!.publicKey).equals(spki(createPublicKey(key))))
    throw new Error('x509CertificateChain X5C: the first certificate does not match the private key');
  return { alg: 'RS256', key, x5c: certificates.map((c) => c.raw.toString('base64')) };
}

/**
 * Imports the key once: the RSA private key (and its chain) or the HMAC secret. Throws a message for key files
 * (PEM path, JKS, PKCS12), unreadable or weak keys.
 */
export function importSigningKey(config: Readonly<GenerateJwtConfig>): SigningKey {
  const resolver = config.keyResolver;
  if (resolver === 'JKS' || resolver === 'PKCS12')
    throw new Error(
      `keyResolver ${resolver} reads a key store from the gateway's filesystem: not supported; put the PEM private key in content with keyResolver INLINE`,
    );
  if (resolver === 'PEM' && !config.content.includes('-----BEGIN'))
    throw new Error(
      "keyResolver PEM with a file path reads the gateway's filesystem: not supported; put the PEM itself in content",
    );
  if (config.signature === 'RSA_RS256') return rsaKey(config);
  const secret = config.secretBase64Encoded
    ? Buffer.from(config.content, 'base64')
    : Buffer.from(config.content, 'utf8');
  const min = HMAC_MIN_BYTES[config.signature];
  if (secret.length < min)
    throw new Error(
      `content: ${config.signature} needs a secret of ${min * 8} bits or more (got ${secret.length * 8})`,
    );
  return { alg: `HS${config.signature.slice(-3)}` as SigningKey['alg'], key: createSecretKey(secret) };
}
