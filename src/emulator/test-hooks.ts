import type { IncomingMessage, ServerResponse } from 'node:http'

import type { EmulatorClock } from './clock'
import type { CustomTables } from './custom-tables'
import type { EntraControls } from './entra'
import { readBody, sendJson } from './http-util'
import type { KustoControls } from './kusto-api'
import type { RequestLogEntry } from './management-api'
import type { FaultConfig } from './scenarios'
import { FaultPatchSchema } from './scenarios'

/** What the `/_test/*` surface drives. */
export interface TestHookTargets {
  clock: EmulatorClock
  entra: EntraControls
  setFaults(f: Partial<FaultConfig>): void
  faults(): FaultConfig
  groundTruth(start: Date, end: Date, contentType?: string, tenantId?: string): Set<string>
  requestLog(): RequestLogEntry[]
  kusto: KustoControls
  /** The fake workspaces' custom (`_CL`) tables, which the Logs Ingestion API fills. */
  customTables: CustomTables
  /** The home tenant's workspace. */
  workspaceId: string
}

/**
 * The test-only control surface over HTTP (off unless `testHooks`): lets a test in another
 * process approve sign-ins, move the clock, flip faults and read ground truth.
 */
export async function handleTestHook(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  t: TestHookTargets
): Promise<void> {
  const p = url.searchParams
  const route = `${req.method ?? 'GET'} ${url.pathname}`
  try {
    switch (route) {
      case 'POST /_test/sign-in/approve':
        sendJson(res, 200, { approved: await t.entra.approveSignIn(p.get('upn') ?? undefined) })
        return
      case 'POST /_test/sign-in/headless': {
        const mode = p.get('mode')
        if (mode !== 'off' && mode !== 'auto' && mode !== 'manual') {
          sendJson(res, 400, { error: 'mode must be off, auto or manual' })
          return
        }
        t.entra.setHeadless(mode)
        sendJson(res, 200, { mode })
        return
      }
      case 'POST /_test/sign-in/next-user':
        t.entra.setNextUser(p.get('upn') ?? '')
        sendJson(res, 200, { ok: true })
        return
      case 'POST /_test/sign-in/deny-next':
        t.entra.denyNextAuthorization()
        sendJson(res, 200, { ok: true })
        return
      case 'POST /_test/device/approve':
        t.entra.approveDeviceCode(p.get('user_code') ?? '', p.get('upn') ?? undefined)
        sendJson(res, 200, { ok: true })
        return
      case 'POST /_test/refresh-tokens/revoke':
        t.entra.revokeRefreshTokens(p.get('upn') ?? '', { withSuberror: p.get('suberror') !== '0' })
        sendJson(res, 200, { ok: true })
        return
      case 'POST /_test/token-lifetime':
        t.entra.setAccessTokenLifetime(Number(p.get('seconds')))
        sendJson(res, 200, { ok: true })
        return
      case 'GET /_test/clock':
        sendJson(res, 200, { now: t.clock.now().toISOString() })
        return
      case 'POST /_test/clock/set': {
        const at = Date.parse(p.get('now') ?? '')
        if (Number.isNaN(at)) {
          sendJson(res, 400, { error: 'now must be an ISO date' })
          return
        }
        t.clock.set(new Date(at))
        sendJson(res, 200, { now: t.clock.now().toISOString() })
        return
      }
      case 'POST /_test/clock/advance': {
        const ms = Number(p.get('ms'))
        if (!Number.isFinite(ms)) {
          sendJson(res, 400, { error: 'ms must be a number' })
          return
        }
        t.clock.advance(ms)
        sendJson(res, 200, { now: t.clock.now().toISOString() })
        return
      }
      case 'GET /_test/faults':
        sendJson(res, 200, t.faults())
        return
      case 'POST /_test/faults': {
        const parsed = FaultPatchSchema.safeParse(JSON.parse((await readBody(req)) || '{}'))
        if (!parsed.success) {
          sendJson(res, 400, {
            error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
          })
          return
        }
        t.setFaults(parsed.data)
        sendJson(res, 200, t.faults())
        return
      }
      case 'GET /_test/ground-truth': {
        const start = Date.parse(p.get('start') ?? '')
        const end = Date.parse(p.get('end') ?? '')
        if (Number.isNaN(start) || Number.isNaN(end)) {
          sendJson(res, 400, { error: 'start and end must be ISO dates' })
          return
        }
        const ids = [
          ...t.groundTruth(new Date(start), new Date(end), p.get('contentType') ?? undefined)
        ]
        sendJson(res, 200, { count: ids.length, ids })
        return
      }
      case 'GET /_test/kusto/table': {
        // What a push left in a table of the fake cluster: rows (repeats included) and unique Ids.
        const db = p.get('db') ?? ''
        const table = p.get('table') ?? ''
        const ids = [...t.kusto.groundTruth(db, table, new Date(0), new Date(8.64e15))]
        const column = p.get('column')
        sendJson(res, 200, {
          rows: t.kusto.rowCount(db, table),
          ids,
          ...(column ? { values: t.kusto.valueCounts(db, table, column) } : {})
        })
        return
      }
      case 'GET /_test/logs/table': {
        // What a push left in a custom table of the home workspace: every row (repeats
        // included), the distinct values of the id column, and optionally a column's counts.
        const table = t.customTables.table(t.workspaceId, p.get('table') ?? '')
        const idColumn = p.get('idColumn') ?? ''
        const idAt = table?.columns.findIndex((c) => c.name === idColumn) ?? -1
        if (table && idAt < 0) {
          sendJson(res, 400, { error: `table ${table.name} has no column '${idColumn}'` })
          return
        }
        const column = p.get('column')
        const valueAt = column ? (table?.columns.findIndex((c) => c.name === column) ?? -1) : -1
        const values: Record<string, number> = {}
        const ids = new Set<string>()
        for (const row of table?.rows ?? []) {
          ids.add(String(row[idAt]))
          if (valueAt >= 0) {
            const v = String(row[valueAt])
            values[v] = (values[v] ?? 0) + 1
          }
        }
        sendJson(res, 200, {
          rows: table?.rows.length ?? 0,
          ids: [...ids],
          ...(column ? { values } : {})
        })
        return
      }
      case 'GET /_test/requests':
        sendJson(res, 200, t.requestLog())
        return
      default:
        sendJson(res, 404, { error: `unknown test hook ${route}` })
    }
  } catch (err) {
    sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) })
  }
}
