// The measured code of governance-app.bench.mjs (bundled by it with Vite, run under Node): the
// app's governance fold over the cache's own column chunks — exactly what the governance worker
// runs — and, from the same chunks, the floor any fold pays: splitting each chunk's string pool
// and reading every stored column of every record.
import { normalizeRecord } from '../src/shared/audit'
import { GovernanceFold } from '../src/shared/governance'
import {
  encodeChunk,
  STORED_TEXT_COLUMNS,
  type ColumnChunk
} from '../src/renderer/src/db/record-chunk'
import { foldChunk } from '../src/renderer/src/governance/governance-engine'

const TENANT = 'c0ffee00-0000-4000-8000-000000000001'
const START = Date.UTC(2026, 4, 1)
const SPAN = 30 * 24 * 3_600_000

function guid(n: number, prefix = '5f'): string {
  const h = n.toString(16).padStart(12, '0')
  return `${prefix}${h.slice(0, 6)}-aaaa-4bbb-8ccc-${h}`
}

let state = 0x2545f491
function rand(n: number): number {
  state ^= state << 13
  state ^= state >>> 17
  state ^= state << 5
  return (state >>> 0) % n
}

const OPS: Array<[string, string, number]> = [
  ['PutConnection', 'connection', 30],
  ['PatchConnection', 'connection', 6],
  ['DeleteConnection', 'connection', 5],
  ['PutConnectionPermission', 'connection', 10],
  ['DeleteConnectionPermission', 'connection', 3],
  ['ConnectionDlpEvaluationResultChange', 'connection', 2],
  ['PutApi', 'api', 2],
  ['PatchApi', 'api', 4],
  ['DeleteApi', 'api', 1],
  ['PutApiPermission', 'api', 2],
  ['PatchGatewayCluster', 'gateway', 1],
  ['PutGatewayPermission', 'gateway', 1],
  ['DeleteGatewayPermission', 'gateway', 1]
]
const WEIGHTED = OPS.flatMap((op) => Array<[string, string, number]>(op[2]).fill(op))
const OTHER = ['LaunchPowerApp', 'UserLoggedIn', 'FileAccessed', 'EditFlow']

function resourceOf(kind: string): string {
  if (kind === 'api') {
    return `/providers/Microsoft.PowerApps/apis/shared_custom-${rand(60)}`
  }
  if (kind === 'gateway') {
    return guid(rand(12), '9a')
  }
  return `/providers/Microsoft.PowerApps/apis/shared_sql/connections/${guid(rand(20_000))}`
}

function raw(i: number, rows: number): string {
  const ms = START + Math.floor((i / rows) * SPAN) + rand(1000)
  const actor = rand(400)
  const base = {
    CreationTime: new Date(ms).toISOString().slice(0, 19),
    Id: guid(i, 'e0'),
    OrganizationId: TENANT,
    UserId: `user${actor}@contoso.example`,
    UserKey: guid(actor, 'ab'),
    ClientIP: `10.0.${actor % 50}.${rand(4)}`,
    UserType: 0
  }
  if (i % 3 !== 0) {
    return JSON.stringify({
      ...base,
      RecordType: 15,
      Operation: OTHER[rand(OTHER.length)],
      Workload: 'AzureActiveDirectory'
    })
  }
  const [op, kind] = WEIGHTED[rand(WEIGHTED.length)]!
  const props: Array<[string, string]> = [
    ['powerplatform.analytics.resource.connection.id', resourceOf(kind)],
    ['powerplatform.analytics.resource.environment.id', guid(rand(6), 'cc')],
    ['powerplatform.analytics.activity.name', op],
    ['enduser.id', base.UserKey],
    ['enduser.principal_name', base.UserId]
  ]
  if (op.includes('Permission')) {
    props.push(['powerplatform.analytics.resource.permission_type', 'CanView'])
    props.push(['targetuser.id', rand(50) === 0 ? TENANT : guid(rand(400), 'ab')])
  }
  return JSON.stringify({
    ...base,
    RecordType: 256,
    Operation: op,
    Workload: 'PowerPlatform',
    PropertyCollection: props.map(([Name, Value]) => ({ Name, Value }))
  })
}

/** Generates `rows` records and encodes them as the cache's column chunks (not measured). */
export function makeChunks(rows: number): ColumnChunk[] {
  const chunks: ColumnChunk[] = []
  let batch = []
  for (let i = 0; i < rows; i++) {
    const result = normalizeRecord(raw(i, rows))
    if (!result.ok) {
      throw new Error(result.reason)
    }
    batch.push(result.record)
    if (batch.length === 4096 || i === rows - 1) {
      chunks.push(encodeChunk(batch).columns)
      batch = []
    }
  }
  return chunks
}

/** The floor: every stored text column of every record read from the chunks, nothing folded. */
export function readFloor(chunks: readonly ColumnChunk[]): number {
  let total = 0
  for (const chunk of chunks) {
    const values = chunk.pool.split('\u0000')
    for (let slot = 0; slot < STORED_TEXT_COLUMNS.length; slot++) {
      for (let i = 0; i < chunk.count; i++) {
        total += values[chunk.codes[slot * chunk.count + i]!]!.length
      }
    }
  }
  return total
}

/** The governance worker's fold, then its overview (resource rows and findings). */
export function fold(chunks: readonly ColumnChunk[]): {
  foldMs: number
  overviewMs: number
  resources: number
  findings: number
} {
  const t0 = performance.now()
  const governance = new GovernanceFold()
  for (const chunk of chunks) {
    foldChunk(governance, chunk)
  }
  const t1 = performance.now()
  const rows = governance.rows()
  const findings = governance.findings()
  const t2 = performance.now()
  return {
    foldMs: t1 - t0,
    overviewMs: t2 - t1,
    resources: rows.length,
    findings: findings.reduce((n, f) => n + f.count, 0)
  }
}
