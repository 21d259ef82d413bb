// The governance benchmarks' audit records (shared by governance.bench.mjs, push.bench.mjs and
// governance-app-entry.ts, typed by governance-records.d.mts):
// a third connector events over 30 days (20,000 connections, 60 custom APIs, 12 gateways, 400
// actors, sharing, deletions, data-policy evaluations), the rest other Audit.General traffic.
// Deterministic: every run writes the same records.
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'

export const TENANT = 'c0ffee00-0000-4000-8000-000000000001'
export const START = Date.UTC(2026, 4, 1)
export const SPAN = 30 * 24 * 3_600_000

export function guid(n, prefix = '5f') {
  const h = n.toString(16).padStart(12, '0')
  return `${prefix}${h.slice(0, 6)}-aaaa-4bbb-8ccc-${h}`
}

// A small deterministic generator (xorshift) so every run measures the same data.
function createRandom() {
  let state = 0x2545f491
  return (n) => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) % n
  }
}

const CONNECTOR_OPS = [
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
const WEIGHTED = CONNECTOR_OPS.flatMap((op) => Array(op[2]).fill(op))
const OTHER_OPS = ['LaunchPowerApp', 'UserLoggedIn', 'FileAccessed', 'EditFlow']

function resourceOf(kind, rand) {
  if (kind === 'api') {
    return `/providers/Microsoft.PowerApps/apis/shared_custom-${rand(60)}`
  }
  if (kind === 'gateway') {
    return guid(rand(12), '9a')
  }
  return `/providers/Microsoft.PowerApps/apis/shared_sql/connections/${guid(rand(20_000))}`
}

function record(i, rows, rand) {
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
    return {
      ...base,
      RecordType: 15,
      Operation: OTHER_OPS[rand(OTHER_OPS.length)],
      Workload: 'AzureActiveDirectory'
    }
  }
  const [op, kind] = WEIGHTED[rand(WEIGHTED.length)]
  const props = [
    ['powerplatform.analytics.resource.connection.id', resourceOf(kind, rand)],
    ['powerplatform.analytics.resource.environment.id', guid(rand(6), 'cc')],
    ['powerplatform.analytics.activity.name', op],
    ['enduser.id', base.UserKey],
    ['enduser.principal_name', base.UserId]
  ]
  if (op.includes('Permission')) {
    props.push(['powerplatform.analytics.resource.permission_type', 'CanView'])
    props.push(['targetuser.id', rand(50) === 0 ? TENANT : guid(rand(400), 'ab')])
  }
  return {
    ...base,
    RecordType: 256,
    Operation: op,
    Workload: 'PowerPlatform',
    PropertyCollection: props.map(([Name, Value]) => ({ Name, Value }))
  }
}

/** The `rows` records, one object each (the same records on every call). */
export function* governanceRecords(rows) {
  const rand = createRandom()
  for (let i = 0; i < rows; i++) {
    yield record(i, rows, rand)
  }
}

/** Writes `rows` records as NDJSON to `file` (the same records on every call). */
export async function writeGovernanceNdjson(file, rows) {
  const out = createWriteStream(file)
  let buffer = ''
  for (const value of governanceRecords(rows)) {
    buffer += `${JSON.stringify(value)}\n`
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) {
        await once(out, 'drain')
      }
      buffer = ''
    }
  }
  out.end(buffer)
  await once(out, 'close')
}
