/**
 * The in-process side of bench/push.bench.mjs (bundled by Vite like governance-app-entry.ts):
 * the emulator with its fake Kusto cluster and fake Logs Ingestion + Log Analytics query APIs,
 * what landed in their tables, and the floor — reading the store and serializing + gzipping the
 * same NDJSON without sending it. Bench-only.
 */
import { gzipSync } from 'node:zlib'

import { KUSTO_DEFAULT_DATABASE, SCENARIOS, startEmulator } from '../src/emulator'
import { BearerHttp } from '../src/main/services/audit-api/bearer-http'
import { tokenDestination } from '../src/main/services/audit-api/token-destination'
import { AppOnlyAuth } from '../src/main/services/auth/app-only-auth'
import { toPushRow } from '../src/main/services/destinations/log-analytics/table-definition'
import { HttpsClient } from '../src/main/services/http/https-client'
import { MemoryLogger } from '../src/main/services/logging/logger'
import { LogAnalyticsClient } from '../src/main/services/sources/log-analytics/log-analytics-client'
import { FileStore } from '../src/main/services/store/file-store'
import { adxRowOf } from '../src/shared/adx/adx-table'
import { CLOUDS } from '../src/shared/clouds'

export const APP_ID = '7d6c5b4a-3333-4444-8555-966677778888'
export const SECRET = 'push-bench-secret'
export const DATABASE = KUSTO_DEFAULT_DATABASE

/** What landed in a table: rows (repeats included) and distinct Ids. */
export interface Landed {
  rows: number
  distinct: number
}

/** Starts the emulator (a small generated tenant: the pushed records come from the store). */
export async function startFakes(now: Date): Promise<{
  tenantId: string
  workspaceId: string
  caPem: string
  authorityHost: string
  cluster: string
  logAnalyticsBase: string
  /** Deploys the table and rule `cax push loganalytics --print-definitions` printed. */
  deployLogAnalytics(definitions: { table: unknown; dataCollectionRule: unknown }): {
    ruleId: string
    endpoint: string
  }
  kustoLanded(table: string): Landed
  /** Read back through the Log Analytics query API: all rows, and the Ids of these parts. */
  logAnalyticsLanded(table: string, parts: string[]): Promise<Landed>
  close(): Promise<void>
}> {
  const emu = await startEmulator({
    scenario: { ...SCENARIOS.clean, generator: { ...SCENARIOS.clean.generator, eventsPerDay: 50 } },
    seed: 31,
    now
  })
  emu.entra.setAccessTokenLifetime(30 * 86_400)
  emu.entra.setClientSecret(APP_ID, SECRET)
  const http = new HttpsClient({ extraCaPem: emu.caCertPem })
  const auth = new AppOnlyAuth({
    clientId: APP_ID,
    tenantId: emu.tenantId,
    credential: { kind: 'secret', secret: SECRET },
    endpoints: {
      ...emu.urls,
      managementResource: CLOUDS.commercial.managementResource,
      graphResource: CLOUDS.commercial.graphResource,
      hasGraphAuditQuery: true
    },
    http,
    log: new MemoryLogger()
  })
  const query = new LogAnalyticsClient({
    http: new BearerHttp({
      http,
      destination: tokenDestination('the Log Analytics query API', emu.urls.logAnalyticsBase),
      token: async (f) =>
        (await auth.getResourceToken(CLOUDS.commercial.logAnalyticsResource, f)).token
    }),
    base: emu.urls.logAnalyticsBase
  })
  return {
    tenantId: emu.tenantId,
    workspaceId: emu.workspaceId,
    caPem: emu.caCertPem,
    authorityHost: emu.urls.authorityHost,
    cluster: emu.urls.kustoClusterUrl,
    logAnalyticsBase: emu.urls.logAnalyticsBase,
    deployLogAnalytics(definitions) {
      const deployed = emu.logsIngestion.deploy({
        table: definitions.table,
        rule: definitions.dataCollectionRule
      })
      return { ruleId: deployed.immutableId, endpoint: deployed.endpoint }
    },
    kustoLanded(table) {
      return {
        rows: emu.kusto.rowCount(DATABASE, table),
        distinct: emu.kusto.groundTruth(DATABASE, table, new Date(0), new Date(8.64e15)).size
      }
    },
    async logAnalyticsLanded(table, parts) {
      // Ingestion rewrites a TimeGenerated older than two days to its own "now", so the range is
      // all time; every row is counted once, and the Ids are read part by part (result limits).
      const range = `${table} | where TimeGenerated >= datetime(2000-01-01T00:00:00Z) and TimeGenerated < datetime(2100-01-01T00:00:00Z)`
      const total = await query.query(emu.workspaceId, `${range} | count`, undefined)
      const ids = new Set<string>()
      for (const part of new Set(parts)) {
        const answer = await query.query(
          emu.workspaceId,
          `${range} and PushPart == '${part}' | summarize count() by UalId`,
          undefined
        )
        for (const [id] of answer.table.rows) {
          ids.add(String(id))
        }
      }
      return { rows: Number(total.table.rows[0]?.[0] ?? NaN), distinct: ids.size }
    },
    close: () => emu.close()
  }
}

/**
 * The floor: read every record of the store and serialize + gzip the NDJSON each destination
 * would be sent, in parts of about `partBytes`, without sending. Returns seconds per destination.
 */
export async function floorSeconds(
  storeDir: string,
  partBytes: number
): Promise<{ records: number; adxSeconds: number; logAnalyticsSeconds: number }> {
  const pass = async (
    row: (r: Parameters<typeof adxRowOf>[0]) => unknown
  ): Promise<{ records: number; seconds: number }> => {
    const started = process.hrtime.bigint()
    const store = await FileStore.open(storeDir)
    let records = 0
    let part = ''
    try {
      for await (const r of store.records()) {
        records++
        part += `${JSON.stringify(row(r))}\n`
        if (part.length >= partBytes) {
          gzipSync(Buffer.from(part, 'utf8'))
          part = ''
        }
      }
      if (part) {
        gzipSync(Buffer.from(part, 'utf8'))
      }
    } finally {
      await store.close()
    }
    return { records, seconds: Number(process.hrtime.bigint() - started) / 1e9 }
  }
  const adx = await pass((r) => adxRowOf(r, 'cax-floor'))
  const la = await pass((r) => toPushRow(r, { run: 'floor', part: 'cax-floor' }))
  return { records: adx.records, adxSeconds: adx.seconds, logAnalyticsSeconds: la.seconds }
}
