import { normalizeRecord } from '../audit'
import type { NormalizedRecord } from '../audit'

/** Crafted connector records for tests (test helper, not shipped API). */

/** The tenant of crafted records. */
export const TENANT = '11111111-2222-3333-4444-555555555555'
/** Environment of crafted records. */
export const ENV = 'aaaaaaaa-0000-0000-0000-000000000001'

/** A connection id on a connector. */
export function connectionId(connector: string, n: number): string {
  return `/providers/Microsoft.PowerApps/apis/${connector}/connections/conn${n}`
}

/** A custom API id. */
export function customApiId(name: string): string {
  return `/providers/Microsoft.PowerApps/apis/shared_${name}`
}

/** What a crafted connector record says. */
export interface CraftedEvent {
  id: string
  /** `2026-05-19T13:17:34` (UTC, like CreationTime). */
  at: string
  operation: string
  resource: string
  actor?: string
  actorKey?: string
  ip?: string
  environment?: string
  environmentName?: string
  permission?: string
  target?: string
  userType?: number
  action?: string
  /** Extra PropertyCollection entries. */
  properties?: Record<string, string>
}

/** A RecordType 256 connector record (PropertyCollection), normalized. */
export function crafted(e: CraftedEvent): NormalizedRecord {
  const props: Record<string, string> = {
    'powerplatform.analytics.resource.connection.id': e.resource,
    'powerplatform.analytics.resource.environment.id': e.environment ?? ENV,
    'powerplatform.analytics.activity.name': e.operation,
    'enduser.id': e.actorKey ?? '',
    'enduser.principal_name': e.actor ?? 'maker@contoso.example',
    ...(e.environmentName !== undefined
      ? { 'powerplatform.analytics.resource.environment.name': e.environmentName }
      : {}),
    ...(e.action !== undefined
      ? { 'powerplatform.analytics.resource.connection.action_name': e.action }
      : {}),
    ...(e.permission !== undefined
      ? { 'powerplatform.analytics.resource.permission_type': e.permission }
      : {}),
    ...(e.target !== undefined ? { 'targetuser.id': e.target } : {}),
    ...e.properties
  }
  const raw = JSON.stringify({
    CreationTime: e.at,
    Id: e.id,
    Operation: e.operation,
    RecordType: 256,
    UserType: e.userType ?? 0,
    Workload: 'PowerPlatform',
    OrganizationId: TENANT,
    UserId: e.actor ?? 'maker@contoso.example',
    UserKey: e.actorKey ?? '',
    ClientIP: e.ip ?? '10.0.0.1',
    ResultStatus: 'Succeeded',
    PropertyCollection: Object.entries(props).map(([Name, Value]) => ({ Name, Value }))
  })
  const result = normalizeRecord(raw)
  if (!result.ok) {
    throw new Error(result.reason)
  }
  return result.record
}

/** A non-connector record (a sign-in) by an actor, to teach the directory and the history. */
export function signIn(
  id: string,
  at: string,
  actor: string,
  actorKey: string,
  ip = '10.0.0.1',
  userType = 0
): NormalizedRecord {
  const result = normalizeRecord(
    JSON.stringify({
      CreationTime: at,
      Id: id,
      Operation: 'UserLoggedIn',
      RecordType: 15,
      UserType: userType,
      Workload: 'AzureActiveDirectory',
      OrganizationId: TENANT,
      UserId: actor,
      UserKey: actorKey,
      ClientIP: ip
    })
  )
  if (!result.ok) {
    throw new Error(result.reason)
  }
  return result.record
}

/** Deterministic shuffle (for order-independence tests). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items]
  let s = seed >>> 0 || 1
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    const j = s % (i + 1)
    const a = out[i] as T
    out[i] = out[j] as T
    out[j] = a
  }
  return out
}
