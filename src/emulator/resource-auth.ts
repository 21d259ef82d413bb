import type { KeyObject } from 'node:crypto'

import type { EmulatorClock } from './clock'
import { verifyRs256 } from './jwt'

/** Claims of a verified access token. */
export interface TokenClaims {
  tid: string
  permissions: string[]
  isApp: boolean
  upn?: string
  /** The calling app (`appid`) and the principal's object id (`oid`), when the token has them:
   * resources that grant by principal (Azure Data Explorer's database roles) read these. */
  appId?: string
  oid?: string
}

/**
 * Verifies an access token the way a resource server does: RS256 signature against the fake
 * IdP's key, `aud`, `exp`/`nbf` against the emulator clock (5-minute skew).
 */
export function verifyAccessToken(
  token: string | undefined,
  publicKey: KeyObject,
  clock: EmulatorClock,
  audience: string
): TokenClaims | undefined {
  if (!token) {
    return undefined
  }
  const claims = verifyRs256(token, publicKey)
  if (!claims || claims.aud !== audience) {
    return undefined
  }
  const now = Math.floor(clock.now().getTime() / 1000)
  const exp = typeof claims.exp === 'number' ? claims.exp : 0
  const nbf = typeof claims.nbf === 'number' ? claims.nbf : 0
  if (now > exp + 300 || now < nbf - 300 || typeof claims.tid !== 'string') {
    return undefined
  }
  const roles = Array.isArray(claims.roles)
    ? claims.roles.filter((r): r is string => typeof r === 'string')
    : []
  const scp =
    typeof claims.scp === 'string' ? claims.scp.split(' ').filter((s) => s.length > 0) : []
  return {
    tid: claims.tid,
    permissions: [...scp, ...roles],
    isApp: roles.length > 0 && scp.length === 0,
    upn: typeof claims.upn === 'string' ? claims.upn : undefined,
    ...(typeof claims.appid === 'string' ? { appId: claims.appid } : {}),
    ...(typeof claims.oid === 'string' ? { oid: claims.oid } : {})
  }
}
