import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  X509Certificate,
  constants
} from 'node:crypto'
import type { KeyObject } from 'node:crypto'

/** base64url of a buffer or UTF-8 string. */
export function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url')
}

/** The emulator's token-signing key and its JWKS entry. */
export interface SigningKey {
  kid: string
  privateKey: KeyObject
  publicKey: KeyObject
  jwk: Record<string, string>
}

/** Generates a fresh RS256 signing key (one per emulator run). */
export function createSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const exported = publicKey.export({ format: 'jwk' })
  const kid = base64url(
    createHash('sha256')
      .update(String(exported.n ?? ''))
      .digest()
  ).slice(0, 27)
  return {
    kid,
    privateKey,
    publicKey,
    jwk: {
      kty: 'RSA',
      use: 'sig',
      alg: 'RS256',
      kid,
      x5t: kid,
      n: String(exported.n ?? ''),
      e: String(exported.e ?? '')
    }
  }
}

/** Signs a JWT with RS256. */
export function signJwt(payload: Record<string, unknown>, key: SigningKey): string {
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: key.kid }))
  const body = base64url(JSON.stringify(payload))
  const signature = sign('sha256', Buffer.from(`${header}.${body}`), key.privateKey)
  return `${header}.${body}.${base64url(signature)}`
}

/** A decoded but not yet trusted JWT. */
export interface DecodedJwt {
  header: Record<string, unknown>
  payload: Record<string, unknown>
  signingInput: Buffer
  signature: Buffer
}

/** Splits and parses a compact JWT; undefined when malformed. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) {
    return undefined
  }
  const [h, p, s] = parts as [string, string, string]
  try {
    const header: unknown = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'))
    const payload: unknown = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'))
    if (typeof header !== 'object' || header === null || typeof payload !== 'object') {
      return undefined
    }
    if (payload === null) {
      return undefined
    }
    return {
      header: header as Record<string, unknown>,
      payload: payload as Record<string, unknown>,
      signingInput: Buffer.from(`${h}.${p}`),
      signature: Buffer.from(s, 'base64url')
    }
  } catch {
    return undefined
  }
}

/** Verifies an RS256 JWT against a public key; returns its claims or undefined. */
export function verifyRs256(
  token: string,
  publicKey: KeyObject
): Record<string, unknown> | undefined {
  const decoded = decodeJwt(token)
  if (!decoded || decoded.header.alg !== 'RS256') {
    return undefined
  }
  const ok = verify('sha256', decoded.signingInput, publicKey, decoded.signature)
  return ok ? decoded.payload : undefined
}

/** SHA-1 and SHA-256 thumbprints of a PEM certificate, base64url (as in x5t / x5t#S256). */
export function certificateThumbprints(certPem: string): { x5t: string; x5tS256: string } {
  const der = new X509Certificate(certPem).raw
  return {
    x5t: base64url(createHash('sha1').update(der).digest()),
    x5tS256: base64url(createHash('sha256').update(der).digest())
  }
}

/**
 * Verifies a client assertion (RFC 7523) signed with RS256 (msal `thumbprint`) or PS256
 * (msal `thumbprintSha256`) against one of the registered certificates.
 */
export function verifyClientAssertion(
  token: string,
  certPems: readonly string[]
): Record<string, unknown> | undefined {
  const decoded = decodeJwt(token)
  if (!decoded) {
    return undefined
  }
  const alg = decoded.header.alg
  for (const pem of certPems) {
    const thumbs = certificateThumbprints(pem)
    const x5t = decoded.header.x5t
    const x5tS256 = decoded.header['x5t#S256']
    if (x5t !== thumbs.x5t && x5tS256 !== thumbs.x5tS256) {
      continue
    }
    const key = createPublicKey(pem)
    let ok = false
    if (alg === 'RS256') {
      ok = verify('sha256', decoded.signingInput, key, decoded.signature)
    } else if (alg === 'PS256') {
      ok = verify(
        'sha256',
        decoded.signingInput,
        {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST
        },
        decoded.signature
      )
    }
    if (ok) {
      return decoded.payload
    }
  }
  return undefined
}
