import { CLOUDS } from '../shared/clouds'

import { stableUuid } from './prng'

/** A user the fake Entra ID can sign in. */
export interface EmulatedUser {
  oid: string
  upn: string
  name: string
  tenantId: string
}

/** A user plus the delegated permissions consented for them (full scope strings). */
export interface UserRecord extends EmulatedUser {
  grants: string[]
}

/** The demo tenant: ids, domain, the accepted app registration and its users. */
export interface TenantModel {
  tenantId: string
  domain: string
  clientId: string
  users: { admin: UserRecord; reader: UserRecord; noPermission: UserRecord }
  allUsers: UserRecord[]
}

const MANAGE = CLOUDS.commercial.managementResource
const GRAPH = CLOUDS.commercial.graphResource
const LOG_ANALYTICS = CLOUDS.commercial.logAnalyticsResource

/**
 * Builds a tenant model from the seed (stable ids for a given seed). `home` is the demo tenant
 * (Contoso); `partner` is a second tenant (Fabrikam) for multi-tenant and `/organizations` tests.
 * Both accept the same multi-tenant app registration.
 */
export function createTenantModel(seed: number, kind: 'home' | 'partner' = 'home'): TenantModel {
  const isHome = kind === 'home'
  const tenantId = isHome ? stableUuid(seed, 'tenant') : stableUuid(seed, 'tenant', 'partner')
  const domain = isHome ? 'contoso.onmicrosoft.com' : 'fabrikam.onmicrosoft.com'
  const make = (key: string, alias: string, name: string, grants: string[]): UserRecord => ({
    oid: stableUuid(seed, kind, 'user', key),
    upn: `${alias}@${domain}`,
    name,
    tenantId,
    grants
  })
  const admin = make('admin', isHome ? 'AmberR' : 'KaiL', isHome ? 'Amber Rodriguez' : 'Kai Lee', [
    `${MANAGE}/ActivityFeed.Read`,
    `${MANAGE}/ActivityFeed.ReadDlp`,
    `${GRAPH}/AuditLogsQuery.Read.All`,
    `${GRAPH}/User.Read`,
    `${LOG_ANALYTICS}/Data.Read`
  ])
  const reader = make('reader', isHome ? 'RobinK' : 'SamO', isHome ? 'Robin Kline' : 'Sam Okafor', [
    `${MANAGE}/ActivityFeed.Read`,
    `${GRAPH}/AuditLogsQuery-Entra.Read.All`,
    `${GRAPH}/User.Read`
  ])
  const noPermission = make(
    'none',
    isHome ? 'NoahP' : 'ToniB',
    isHome ? 'Noah Park' : 'Toni Baker',
    [`${GRAPH}/User.Read`]
  )
  return {
    tenantId,
    domain,
    clientId: stableUuid(seed, 'client'),
    users: { admin, reader, noPermission },
    allUsers: [admin, reader, noPermission]
  }
}
