/**
 * "Test connection": checks a profile end to end — sign-in, clock, Management Activity API access,
 * Graph audit query access — and names what is missing with a one-line fix for each failed step.
 */
import type { ErrorCode } from '../../../shared/errors'
import { AppError } from '../../../shared/errors'
import { adxScope } from '../../../shared/clouds'
import { adxSourceOf, workspaceOf } from '../../../shared/profiles'
import type {
  AdxSourceSettings,
  ConnectionCheck,
  Profile,
  WorkspaceSettings
} from '../../../shared/profiles'
import { AuditApiError } from '../audit-api/api-error'
import { BearerHttp } from '../audit-api/bearer-http'
import { ManagementClient } from '../audit-api/management-client'
import { tokenDestination } from '../audit-api/token-destination'
import { ADX_ID_COLUMNS } from '../sources/adx/adx-pull'
import { AdxClient, AdxError } from '../sources/adx/adx-client'
import type { HttpsClient } from '../http/https-client'
import { NetworkError } from '../http/https-client'
import {
  LogAnalyticsClient,
  LogAnalyticsError
} from '../sources/log-analytics/log-analytics-client'
import { idColumnOf } from '../sources/log-analytics/workspace-rows'

import { AUTH_FIXES, toAuthError } from './auth-errors'
import { endpointsFor, logAnalyticsBaseFor, type AuthService } from './auth-service'

type Step = ConnectionCheck['steps'][number]

/** Largest clock difference tolerated before tokens are rejected as not yet valid or expired. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000

function failed(name: string, code: ErrorCode, detail: string): Step {
  const fix = AUTH_FIXES[code]
  return { name, ok: false, code, detail, ...(fix ? { fix } : {}) }
}

function fromError(name: string, error: unknown): Step {
  if (error instanceof AuditApiError) {
    if (error.code === 'AF10001') {
      return failed(
        name,
        'auth/missing-permission',
        `The token lacks ActivityFeed.Read (${error.code}).`
      )
    }
    if (error.code === 'AF20010') {
      return failed(
        name,
        'auth/tenant-mismatch',
        `The token is for another tenant (${error.code}).`
      )
    }
    if (error.status === 401) {
      return failed(
        name,
        'auth/interaction-required',
        `The API refused the token: ${error.message}`
      )
    }
    return failed(
      name,
      'auth/failed',
      `The API answered ${error.status} ${error.code}: ${error.message}`
    )
  }
  if (error instanceof NetworkError) {
    return failed(name, 'auth/network', `${error.host} could not be reached (${error.kind}).`)
  }
  const appError = error instanceof AppError ? error : toAuthError(error)
  return { ...failed(name, appError.code, appError.message) }
}

function tokenScopes(token: string): string[] {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      scp?: unknown
      roles?: unknown
    }
    const scp = typeof claims.scp === 'string' ? claims.scp.split(' ') : []
    const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : []
    return [...scp, ...roles]
  } catch {
    return []
  }
}

/** Runs every check for a profile; never throws for a failed step. */
export async function checkConnection(
  profile: Profile,
  deps: { auth: AuthService; http: HttpsClient; now: () => Date }
): Promise<ConnectionCheck> {
  const steps: Step[] = []
  const endpoints = endpointsFor(profile)
  const done = (): ConnectionCheck => ({
    profileId: profile.id,
    ok: steps.every((s) => s.ok),
    steps
  })

  const workspace = workspaceOf(profile)
  if (workspace) {
    return checkWorkspace(profile, workspace, deps, steps, done)
  }
  const adx = adxSourceOf(profile)
  if (adx) {
    return checkAdx(profile, adx, deps, steps, done)
  }
  let tenantId = profile.tenant
  try {
    const token = await deps.auth.getAccessToken(profile.id, 'management')
    tenantId = token.tenantId || tenantId
    steps.push({
      name: 'Sign-in',
      ok: true,
      detail: 'A token for the Management Activity API was obtained.'
    })
  } catch (error) {
    steps.push(fromError('Sign-in', error))
    return done()
  }

  const client = new ManagementClient({
    http: deps.http,
    apiBase: endpoints.managementApiBase,
    tenantId,
    publisherIdentifier: profile.publisherIdentifier ?? tenantId,
    token: async () => (await deps.auth.getAccessToken(profile.id, 'management')).token
  })
  try {
    const { subscriptions, serverDate } = await client.listSubscriptions()
    if (serverDate) {
      const skew = deps.now().getTime() - serverDate.getTime()
      steps.push(
        Math.abs(skew) > MAX_CLOCK_SKEW_MS
          ? failed(
              'Clock',
              'auth/clock-skew',
              `This computer's clock is ${Math.round(Math.abs(skew) / 60_000)} minutes ${skew > 0 ? 'ahead of' : 'behind'} the server's.`
            )
          : { name: 'Clock', ok: true, detail: "This computer's clock matches the server's." }
      )
    }
    const general = subscriptions.find((s) => s.contentType.toLowerCase() === 'audit.general')
    steps.push({
      name: 'Management Activity API',
      ok: true,
      detail: general
        ? `Access granted; the Audit.General subscription is ${general.status}.`
        : 'Access granted; the Audit.General subscription will be started by the first sync.'
    })
  } catch (error) {
    steps.push(fromError('Management Activity API', error))
  }

  if (!endpoints.hasGraphAuditQuery) {
    steps.push({
      name: 'History (Graph audit log query)',
      ok: true,
      detail: 'Not available in this cloud: history is limited to the last 7 days.'
    })
    return done()
  }
  try {
    const graph = await deps.auth.getAccessToken(profile.id, 'graph')
    const hasScope = tokenScopes(graph.token).includes('AuditLogsQuery.Read.All')
    steps.push(
      hasScope
        ? {
            name: 'History (Graph audit log query)',
            ok: true,
            detail: 'AuditLogsQuery.Read.All is granted.'
          }
        : {
            name: 'History (Graph audit log query)',
            ok: false,
            code: 'auth/missing-permission',
            detail:
              'The Graph token lacks AuditLogsQuery.Read.All: history older than 7 days cannot be pulled.',
            fix: 'Add the delegated permission Microsoft Graph → AuditLogsQuery.Read.All and grant admin consent.'
          }
    )
  } catch (error) {
    const step = fromError('History (Graph audit log query)', error)
    steps.push(
      step.code === 'auth/consent-required' || step.code === 'auth/interaction-required'
        ? {
            ...step,
            code: 'auth/consent-required',
            detail: 'No consent for Microsoft Graph → AuditLogsQuery.Read.All.',
            fix: 'Add the delegated permission Microsoft Graph → AuditLogsQuery.Read.All and grant admin consent.'
          }
        : step
    )
  }
  return done()
}

/**
 * A workspace profile: a delegated Log Analytics token, then `getschema` of each table (it must
 * exist and have TimeGenerated and the UAL Id column, as the workspace source needs).
 */
async function checkWorkspace(
  profile: Profile,
  workspace: WorkspaceSettings,
  deps: { auth: AuthService; http: HttpsClient },
  steps: Step[],
  done: () => ConnectionCheck
): Promise<ConnectionCheck> {
  try {
    await deps.auth.getAccessToken(profile.id, 'loganalytics')
    steps.push({
      name: 'Sign-in',
      ok: true,
      detail: 'A token for the Log Analytics API was obtained.'
    })
  } catch (error) {
    steps.push(fromError('Sign-in', error))
    return done()
  }
  const base = logAnalyticsBaseFor(profile)
  const client = new LogAnalyticsClient({
    http: new BearerHttp({
      http: deps.http,
      destination: tokenDestination('the Log Analytics query API', base),
      token: async (force) =>
        (await deps.auth.getAccessToken(profile.id, 'loganalytics', force)).token
    }),
    base,
    attempts: 2
  })
  for (const table of workspace.tables) {
    const name = `Workspace table ${table}`
    try {
      const answer = await client.query(workspace.workspaceId, `${table} | getschema`, undefined)
      const at = answer.table.columns.findIndex((c) => c.name === 'ColumnName')
      const columns = answer.table.rows.map((r) => String(r[at]))
      const id = idColumnOf(columns)
      steps.push(
        id && columns.includes('TimeGenerated')
          ? { name, ok: true, detail: `Readable; the UAL Id is in ${id}.` }
          : failed(name, 'auth/failed', `${table} has no TimeGenerated or no UAL Id column.`)
      )
    } catch (error) {
      steps.push(
        error instanceof LogAnalyticsError
          ? failed(
              name,
              error.isAuth ? 'auth/missing-permission' : 'auth/failed',
              error.isAuth
                ? `The workspace refused the token (${error.code}): the account needs Log Analytics Reader on it.`
                : error.message
            )
          : fromError(name, error)
      )
    }
  }
  return done()
}

/**
 * An Azure Data Explorer profile: a delegated token for the cluster, then `getschema` of its
 * table (it must exist and have TimeGenerated and a UAL Id column, as the ADX source needs).
 */
async function checkAdx(
  profile: Profile,
  adx: AdxSourceSettings,
  deps: { auth: AuthService; http: HttpsClient },
  steps: Step[],
  done: () => ConnectionCheck
): Promise<ConnectionCheck> {
  const token = async (force: boolean): Promise<string> =>
    (await deps.auth.getScopeToken(profile.id, adxScope(adx.cluster), force)).token
  try {
    await token(false)
    steps.push({ name: 'Sign-in', ok: true, detail: 'A token for the cluster was obtained.' })
  } catch (error) {
    steps.push(fromError('Sign-in', error))
    return done()
  }
  const client = new AdxClient({
    // The token goes only to the cluster saved with the profile.
    http: new BearerHttp({
      http: deps.http,
      destination: tokenDestination('the Azure Data Explorer cluster', adx.cluster),
      token
    }),
    cluster: adx.cluster,
    attempts: 2
  })
  const name = `Table ${adx.database}.${adx.table}`
  try {
    const answer = await client.query(adx.database, `${adx.table} | getschema`)
    const at = answer.table.columns.findIndex((c) => c.name === 'ColumnName')
    const columns = answer.table.rows.map((r) => String(r[at]))
    const id = ADX_ID_COLUMNS.find((c) => columns.includes(c))
    steps.push(
      id && columns.includes('TimeGenerated')
        ? { name, ok: true, detail: `Readable; the UAL Id is in ${id}.` }
        : failed(name, 'auth/failed', `${adx.table} has no TimeGenerated or no UAL Id column.`)
    )
  } catch (error) {
    steps.push(
      error instanceof AdxError
        ? failed(
            name,
            error.isAuth ? 'auth/missing-permission' : 'auth/failed',
            error.isAuth
              ? `The cluster refused the token (${error.code}): the account needs the Viewer role on ${adx.database}.`
              : error.message
          )
        : fromError(name, error)
    )
  }
  return done()
}
