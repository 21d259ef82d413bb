import {
  APPS,
  CONNECTOR_ACTIVITIES,
  CONNECTORS,
  FLOWS,
  GATEWAYS,
  STAFF
} from './activity-catalogue'
import type { ConnectorActivity } from './activity-catalogue'
import { Rng, hash32, mix32, permute64, stableUuid, unit } from './prng'
import {
  connectionResourceId,
  connectionSlots,
  lifecycleEvents,
  liveConnection,
  pilotApi,
  pilotApiAt,
  PILOT_API_SLOTS
} from './resource-lifecycle'
import type { LifecycleEvent } from './resource-lifecycle'
import type { TenantModel } from './tenant'

/** The five Management Activity API content types. */
export const CONTENT_TYPES = [
  'Audit.AzureActiveDirectory',
  'Audit.Exchange',
  'Audit.SharePoint',
  'Audit.General',
  'DLP.All'
] as const

/** A content type name. */
export type ContentType = (typeof CONTENT_TYPES)[number]

/** An audit record as the Management API returns it (PascalCase, open schema). */
export type AuditRecord = Record<string, unknown> & {
  Id: string
  CreationTime: string
  RecordType: number
}

/** Knobs of the activity generator and blob planner. */
export interface GeneratorConfig {
  seed: number
  /** Average Audit.General events per day (other content types scale with contentTypeShare). */
  eventsPerDay: number
  contentTypeShare: Record<ContentType, number>
  blobSize: number
  latencyMinutes: { min: number; max: number }
  lateBlobRate: number
  lateBlobDelayMinutes: { min: number; max: number }
  duplicateRate: number
  crossBlobDuplicateRate: number
  oldEventsRate: number
  oldEventsDelayHours: { min: number; max: number }
  emptyHourRate: number
}

/** One planned content blob: a deterministic function of (content type, event hour, index). */
export interface BlobPlan {
  contentType: ContentType
  hour: number
  index: number
  contentCreated: number
  availableAt: number
  /** Slice of the hour's records carried by this blob. */
  start: number
  end: number
  duplicateWithin: boolean
  /** Records copied from the previous blob of the same hour (duplicates across blobs). */
  copyFromPrevious: number
}

/** Index of the "old events in a new blob" blob of an hour. */
export const STRAGGLER_INDEX = 999_999_999

const HOUR = 3_600_000
const WEEKDAY_WEIGHTS = [
  0.02, 0.02, 0.02, 0.02, 0.03, 0.05, 0.15, 0.45, 0.9, 1, 1, 0.95, 0.7, 0.95, 1, 1, 0.9, 0.6, 0.3,
  0.15, 0.08, 0.05, 0.03, 0.02
]
const AVERAGE_WEIGHT = (() => {
  let sum = 0
  for (let d = 0; d < 7; d++) {
    for (let h = 0; h < 24; h++) {
      sum += rhythm(d, h)
    }
  }
  return sum / (7 * 24)
})()

function rhythm(dayOfWeek: number, hourOfDay: number): number {
  const w = WEEKDAY_WEIGHTS[hourOfDay] ?? 0.05
  return dayOfWeek === 0 || dayOfWeek === 6 ? w * 0.12 + 0.01 : w
}

/** Epoch hour number of a time. */
export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR)
}

/**
 * How many events a content type has in an hour: cheap, no record generation. Audit.General adds
 * the creates and deletes of connections and custom APIs that happen in the hour
 * (resource-lifecycle.ts) to its random activity.
 */
export function hourCount(cfg: GeneratorConfig, ct: ContentType, hour: number): number {
  const random = randomCount(cfg, ct, hour)
  return random === 0 || ct !== 'Audit.General' ? random : random + lifecycleOf(cfg, hour).length
}

function lifecycleOf(cfg: GeneratorConfig, hour: number): readonly LifecycleEvent[] {
  return lifecycleEvents(cfg.seed, connectionSlots(cfg.eventsPerDay), hour)
}

/** The hour's random events (an empty hour has none, and no lifecycle events either). */
function randomCount(cfg: GeneratorConfig, ct: ContentType, hour: number): number {
  if (unit(cfg.seed, 'empty', ct, hour) < cfg.emptyHourRate) {
    return 0
  }
  const d = new Date(hour * HOUR)
  const mean = (cfg.eventsPerDay * cfg.contentTypeShare[ct]) / 24
  const weight = rhythm(d.getUTCDay(), d.getUTCHours()) / AVERAGE_WEIGHT
  const noise = 0.7 + 0.6 * unit(cfg.seed, 'count', ct, hour)
  return Math.round(mean * weight * noise)
}

/** Plans the blobs carrying an hour's events (no records generated). */
export function planHour(cfg: GeneratorConfig, ct: ContentType, hour: number): BlobPlan[] {
  const n = hourCount(cfg, ct, hour)
  if (n === 0) {
    return []
  }
  const hourEnd = (hour + 1) * HOUR
  const stragglers = Math.min(
    n,
    Math.round(n * cfg.oldEventsRate * 2 * unit(cfg.seed, 'old', ct, hour))
  )
  const normal = n - stragglers
  const plans: BlobPlan[] = []
  const blobs = Math.ceil(normal / cfg.blobSize)
  const span = Math.max(0, cfg.latencyMinutes.max - cfg.latencyMinutes.min)
  for (let j = 0; j < blobs; j++) {
    const latency = (cfg.latencyMinutes.min + span * unit(cfg.seed, 'lat', ct, hour, j)) * 60_000
    const created = Math.floor(
      hourEnd + latency + j * 1_000 + unit(cfg.seed, 'ms', ct, hour, j) * 999
    )
    const isLate = unit(cfg.seed, 'late', ct, hour, j) < cfg.lateBlobRate
    const lateSpan = cfg.lateBlobDelayMinutes.max - cfg.lateBlobDelayMinutes.min
    const delay = isLate
      ? (cfg.lateBlobDelayMinutes.min + lateSpan * unit(cfg.seed, 'lated', ct, hour, j)) * 60_000
      : 0
    plans.push({
      contentType: ct,
      hour,
      index: j,
      contentCreated: created,
      availableAt: created + Math.floor(delay),
      start: j * cfg.blobSize,
      end: Math.min(normal, (j + 1) * cfg.blobSize),
      duplicateWithin: unit(cfg.seed, 'dupw', ct, hour, j) < cfg.duplicateRate,
      copyFromPrevious:
        j > 0 && unit(cfg.seed, 'dupx', ct, hour, j) < cfg.crossBlobDuplicateRate
          ? 1 + Math.floor(unit(cfg.seed, 'dupn', ct, hour, j) * 3)
          : 0
    })
  }
  if (stragglers > 0) {
    const h = cfg.oldEventsDelayHours
    const created = Math.floor(
      hourEnd + (h.min + (h.max - h.min) * unit(cfg.seed, 'oldd', ct, hour)) * HOUR
    )
    plans.push({
      contentType: ct,
      hour,
      index: STRAGGLER_INDEX,
      contentCreated: created,
      availableAt: created,
      start: normal,
      end: n,
      duplicateWithin: false,
      // a late blob that re-delivers events already sent (reference §2.12)
      copyFromPrevious:
        blobs > 0 && unit(cfg.seed, 'oldx', ct, hour) < cfg.crossBlobDuplicateRate ? 2 : 0
    })
  }
  return plans
}

/** The latest an hour's blobs can be created after the hour ends (for window scans). */
export function maxBlobDelayMs(cfg: GeneratorConfig): number {
  // j * 1 s per blob stays well inside the extra hour of slack
  return Math.max(cfg.latencyMinutes.max * 60_000, cfg.oldEventsDelayHours.max * HOUR) + 2 * HOUR
}

/** Index ranges `[start, end)` of an hour's records carried by a blob, duplicates included. */
export function blobRanges(plan: BlobPlan, previous?: BlobPlan): Array<[number, number]> {
  const ranges: Array<[number, number]> = [[plan.start, plan.end]]
  if (plan.copyFromPrevious > 0) {
    const start = previous ? previous.start : 0
    ranges.push([start, start + plan.copyFromPrevious])
  }
  return ranges
}

/** The records of a planned blob (only the records it carries are generated). */
export function blobRecords(
  cfg: GeneratorConfig,
  world: TenantWorld,
  plan: BlobPlan,
  previous?: BlobPlan
): AuditRecord[] {
  const out: AuditRecord[] = []
  for (const [start, end] of blobRanges(plan, previous)) {
    out.push(...generateHour(cfg, world, plan.contentType, plan.hour, start, end))
  }
  if (plan.duplicateWithin && out.length > 0) {
    const first = out[0]
    if (first) {
      out.splice(Math.floor(out.length / 2), 0, first)
    }
  }
  return out
}

// ---- the tenant's world ----------------------------------------------------------------------

interface Person {
  upn: string
  oid: string
  isAdmin: boolean
  /** A guest from a partner organisation (`#EXT#` UPN, UserType 10). */
  isGuest?: boolean
}

interface Environment {
  id: string
  name: string
}

/** Static facts of the generated tenant (environments, people, connections). */
export interface TenantWorld {
  tenant: TenantModel
  environments: Environment[]
  people: Person[]
  /** Guests from partner organisations: rare actors, and sometimes given a share. */
  guests: Person[]
  ips: string[]
}

function orgName(domain: string): string {
  const label = domain.split('.')[0] ?? 'Contoso'
  return label.charAt(0).toUpperCase() + label.slice(1)
}

/** Builds the tenant world from the seed. */
export function createWorld(seed: number, tenant: TenantModel): TenantWorld {
  const environments: Environment[] = [
    { id: `Default-${tenant.tenantId}`, name: `${orgName(tenant.domain)} (default)` },
    { id: stableUuid(seed, 'env', 1), name: 'Finance (Production)' },
    { id: stableUuid(seed, 'env', 2), name: 'HR (Production)' },
    { id: stableUuid(seed, 'env', 3), name: 'Sales (Sandbox)' },
    { id: stableUuid(seed, 'env', 4), name: 'Citizen Developer Trial' }
  ]
  const people: Person[] = [
    ...tenant.allUsers.map((u, i) => ({ upn: u.upn, oid: u.oid, isAdmin: i === 0 })),
    ...STAFF.map((name) => {
      const [first = 'user', last = 'x'] = name.split(' ')
      return {
        upn: `${first}${last.charAt(0)}@${tenant.domain}`,
        oid: stableUuid(seed, 'staff', name),
        isAdmin: name === 'Megan Bowen' || name === 'Nestor Wilke'
      }
    })
  ]
  const ips = [
    '20.190.151.7',
    '40.126.9.65',
    '52.108.44.12',
    '::ffff:172.172.34.12',
    '167.220.196.178',
    '2a01:111:f400:7e4b::5',
    '86.12.203.41',
    '104.47.18.99'
  ]
  const guests: Person[] = ['jordan@fabrikam.example', 'sam.lee@northwind.example'].map(
    (email) => ({
      upn: `${email.replace('@', '_')}#EXT#@${tenant.domain}`,
      oid: stableUuid(seed, 'guest', email),
      isAdmin: false,
      isGuest: true
    })
  )
  return { tenant, environments, people, guests, ips }
}

const INDEX_BITS = 28

/**
 * The Id of record `index` of (content type, hour). A GUID drawn from the record's 32-bit seed
 * alone collides by the birthday bound (about one pair per 93,000 records: 2 in ~78,000 records
 * of the `clean` scenario, over a hundred in the `huge` week), so 64 of its bits are a keyed permutation
 * of (hour, content type, index): Ids of different records never collide within a tenant, and
 * repeats happen only where the blob plan repeats a record on purpose.
 */
function recordId(key: IdKey, hour: number, index: number, rng: Rng): string {
  if (index >= 2 ** INDEX_BITS || hour < 0 || hour >= 2 ** 32) {
    throw new Error(`[emulator] record ${index} of hour ${hour} is outside the Id space`)
  }
  return rng.uuidWith(permute64(key.key, hour, ((key.ctIndex << INDEX_BITS) | index) >>> 0))
}

interface IdKey {
  key: number
  ctIndex: number
}

function idKey(cfg: GeneratorConfig, ct: ContentType): IdKey {
  return { key: hash32(cfg.seed, 'id-key'), ctIndex: CONTENT_TYPES.indexOf(ct) }
}

/**
 * Generates records `[start, end)` of one (content type, hour). Each record derives from its own
 * seed `mix32(hash(seed, ct, hour), index)`, so any slice can be produced on its own.
 */
export function generateHour(
  cfg: GeneratorConfig,
  world: TenantWorld,
  ct: ContentType,
  hour: number,
  start = 0,
  end = Number.POSITIVE_INFINITY
): AuditRecord[] {
  const n = Math.min(end, hourCount(cfg, ct, hour))
  const random = randomCount(cfg, ct, hour)
  const lifecycle = n > random ? lifecycleOf(cfg, hour) : []
  const base = hash32(cfg.seed, 'hour', ct, hour)
  const key = idKey(cfg, ct)
  const out: AuditRecord[] = []
  for (let i = Math.max(0, start); i < n; i++) {
    const rng = new Rng(mix32(base, i))
    const id = recordId(key, hour, i, rng)
    const at = hour * HOUR + rng.int(HOUR)
    const event = i >= random ? lifecycle[i - random] : undefined
    out.push(
      event
        ? lifecycleRecord(rng, cfg, world, event, id)
        : makeRecord(rng, { cfg, world }, ct, at, id)
    )
  }
  return out
}

/** Only the Ids of records `[start, end)` of an hour (cheap: used for ground truth). */
export function recordIds(
  cfg: GeneratorConfig,
  ct: ContentType,
  hour: number,
  start: number,
  end: number
): string[] {
  const n = Math.min(end, hourCount(cfg, ct, hour))
  const base = hash32(cfg.seed, 'hour', ct, hour)
  const key = idKey(cfg, ct)
  const out: string[] = []
  for (let i = Math.max(0, start); i < n; i++) {
    out.push(recordId(key, hour, i, new Rng(mix32(base, i))))
  }
  return out
}

function creationTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19)
}

type Kind =
  | 'connector-legacy'
  | 'connector-256'
  | 'launch-256'
  | 'app-legacy'
  | 'flow'
  | 'dlp-256'
  | 'dlp-legacy'
  | 'admin-256'
  | 'teams'
  | 'powerbi'
  | 'future'

const GENERAL_KINDS: ReadonlyArray<readonly [Kind, number]> = [
  ['connector-legacy', 8],
  ['connector-256', 12],
  ['launch-256', 20],
  ['app-legacy', 10],
  ['flow', 8],
  ['dlp-256', 1],
  ['dlp-legacy', 0.6],
  ['admin-256', 1.2],
  ['teams', 16],
  ['powerbi', 12],
  ['future', 1]
]

interface GenContext {
  cfg: GeneratorConfig
  world: TenantWorld
}

/** The actor of a record: now and then (by its Id, drawing nothing) a guest. */
function actorOf(rng: Rng, world: TenantWorld, id: string): Person {
  const person = rng.pick(world.people)
  const guest = world.guests[hash32(id, 'guest') % 64]
  return guest ?? person
}

function makeRecord(
  rng: Rng,
  ctx: GenContext,
  ct: ContentType,
  at: number,
  id: string
): AuditRecord {
  const world = ctx.world
  const person = actorOf(rng, world, id)
  const ip = rng.pick(world.ips)
  const base = {
    CreationTime: creationTime(at),
    Id: id,
    OrganizationId: world.tenant.tenantId,
    UserKey: person.oid,
    UserId: person.upn,
    ClientIP: ip,
    Version: 1
  }
  switch (ct) {
    case 'Audit.AzureActiveDirectory':
      return {
        ...base,
        RecordType: 15,
        Operation: 'UserLoggedIn',
        UserType: person.isGuest ? 10 : 0,
        Workload: 'AzureActiveDirectory',
        ResultStatus: 'Success',
        ObjectId: '00000003-0000-0ff1-ce00-000000000000',
        AzureActiveDirectoryEventType: 1
      }
    case 'Audit.Exchange':
      return {
        ...base,
        RecordType: 50,
        Operation: 'MailItemsAccessed',
        UserType: 0,
        Workload: 'Exchange',
        ResultStatus: 'Succeeded',
        MailboxOwnerUPN: person.upn,
        OperationCount: 1 + rng.int(20)
      }
    case 'Audit.SharePoint':
      return {
        ...base,
        RecordType: 6,
        Operation: rng.pick(['FileAccessed', 'FileModified', 'FileUploaded']),
        UserType: 0,
        Workload: rng.chance(0.3) ? 'OneDrive' : 'SharePoint',
        ObjectId: `https://contoso.sharepoint.com/sites/finance/Shared Documents/report-${rng.int(90)}.xlsx`,
        SourceFileName: `report-${rng.int(90)}.xlsx`
      }
    case 'DLP.All':
      return {
        ...base,
        RecordType: 11,
        Operation: 'DlpRuleMatch',
        UserType: 0,
        Workload: 'Exchange',
        PolicyDetails: [{ PolicyName: 'Credit card numbers', Rules: [{ RuleName: 'Low volume' }] }]
      }
    case 'Audit.General':
      return generalRecord(rng, ctx, at, base, person, ip)
  }
}

function generalRecord(
  rng: Rng,
  ctx: GenContext,
  at: number,
  base: Record<string, unknown> & { Id: string; CreationTime: string },
  person: Person,
  ip: string
): AuditRecord {
  const world = ctx.world
  const env = rng.pick(world.environments)
  const userType = person.isGuest ? 10 : person.isAdmin ? 2 : 0
  const kind = rng.weighted(GENERAL_KINDS)
  const agent = rng.pick(AGENTS)
  const scaffold: Scaffold = { world, base, person, ip, userType, env, agent }
  const pp = (activity: string, props: Array<[string, string]>, type: string): AuditRecord =>
    ppRecord(scaffold, activity, props, type)
  switch (kind) {
    case 'connector-legacy':
    case 'connector-256': {
      const activity = rng.weighted(RANDOM_ACTIVITY_WEIGHTS)
      const resource = pooledResource(rng, ctx, activity, at)
      return connectorRecord(rng, scaffold, activity, resource, kind === 'connector-legacy')
    }
    case 'launch-256': {
      const app = rng.pick(APPS)
      return pp(
        'LaunchPowerApp',
        [
          ['powerplatform.analytics.resource.power_app.display_name', app],
          [
            'powerplatform.analytics.resource.power_app.id',
            stableUuid(world.tenant.tenantId, 'app', app)
          ],
          ['powerplatform.analytics.correlation.id', rng.uuid()]
        ],
        'PowerApp'
      )
    }
    case 'app-legacy': {
      const app = rng.pick(APPS)
      return {
        ...base,
        RecordType: 45,
        Operation: rng.weighted([
          ['LaunchPowerApp', 10],
          ['UpdatePowerApp', 2],
          ['PublishPowerApp', 2],
          ['CreatePowerApp', 1],
          ['PowerAppPermissionEdited', 1]
        ] as const),
        UserType: userType,
        Workload: 'PowerApps',
        ResultStatus: 'Succeeded',
        ObjectId: person.oid,
        AppName: stableUuid(world.tenant.tenantId, 'app', app),
        AdditionalInfo: JSON.stringify({ environmentName: env.id, appDisplayName: app })
      }
    }
    case 'flow': {
      const flow = rng.pick(FLOWS)
      const flowId = stableUuid(world.tenant.tenantId, 'flow', flow)
      const connectors = [rng.pick(CONNECTORS), rng.pick(CONNECTORS)].map((c) => c.displayName)
      return {
        ...base,
        RecordType: 30,
        Operation: rng.weighted([
          ['EditFlow', 6],
          ['CreateFlow', 2],
          ['DeleteFlow', 1]
        ] as const),
        UserType: userType,
        Workload: 'MicrosoftFlow',
        ResultStatus: 'Succeeded',
        ObjectId: flowId,
        FlowDetailsUrl: `https://make.powerautomate.com/environments/${env.id}/flows/${flowId}/details`,
        FlowConnectorNames: connectors.join(', '),
        LicenseDisplayName: rng.pick(['Microsoft 365 E3', 'Power Automate Premium']),
        UserTypeInitiated: person.isAdmin ? 2 : 1,
        UserUPN: person.upn
      }
    }
    case 'dlp-256':
      return pp(
        'GovernanceApiPolicyOperation',
        [
          [
            'powerplatform.analytics.resource.tenant.governance.api_policy.operation_name',
            rng.pick(['CreateDlpPolicy', 'UpdateDlpPolicy', 'DeleteDlpPolicy'])
          ],
          [
            'powerplatform.analytics.resource.tenant.governance.api_policy.id',
            stableUuid(world.tenant.tenantId, 'policy', rng.int(3))
          ],
          [
            'powerplatform.analytics.resource.tenant.governance.api_policy.display_name',
            rng.pick(['Block social connectors', 'Finance data boundary', 'Default tenant policy'])
          ]
        ],
        'ApiPolicy'
      )
    case 'dlp-legacy':
      return {
        ...base,
        RecordType: rng.chance(0.5) ? 79 : 187,
        Operation: rng.pick(['CreateDlpPolicy', 'UpdateDlpPolicy', 'DeleteDlpPolicy']),
        UserType: 2,
        Workload: 'PowerPlatform',
        ResultStatus: 'Succeeded',
        AdditionalInfo: JSON.stringify({
          policyId: stableUuid(world.tenant.tenantId, 'policy', rng.int(3)),
          policyType: rng.pick([
            'AllEnvironments',
            'SingleEnvironment',
            'OnlyEnvironments',
            'ExceptEnvironments'
          ]),
          defaultConnectorClassification: rng.pick(['General', 'Confidential', 'Blocked']),
          environmentName: env.id
        })
      }
    case 'admin-256':
      return pp(
        rng.pick([
          'NewEnvironmentGroup',
          'AdminDeleteApp',
          'EnvironmentAddedToEnvironmentGroup',
          'AssignLicenseToUser'
        ]),
        [],
        'Tenant'
      )
    case 'teams':
      return {
        ...base,
        RecordType: 25,
        Operation: rng.pick(['MemberAdded', 'TeamCreated', 'ChannelAdded', 'TeamsSessionStarted']),
        UserType: 0,
        Workload: 'MicrosoftTeams',
        TeamName: rng.pick(['Finance', 'Sales EMEA', 'Power Platform CoE', 'IT Helpdesk'])
      }
    case 'powerbi':
      return {
        ...base,
        RecordType: 20,
        Operation: rng.pick(['ViewReport', 'ViewDashboard', 'ExportReport']),
        UserType: 0,
        Workload: 'PowerBI',
        Activity: 'ViewReport',
        ItemName: rng.pick(['Connector usage', 'Sales pipeline', 'Expenses by month']),
        WorkSpaceName: rng.pick(['Finance', 'CoE Analytics'])
      }
    case 'future':
      return {
        ...base,
        RecordType: 471,
        Operation: 'AgentToolInvocation',
        UserType: 0,
        Workload: 'CopilotStudio',
        AgentId: stableUuid(world.tenant.tenantId, 'agent', rng.int(4)),
        ToolCalls: [{ Name: 'lookupInvoice', DurationMs: 50 + rng.int(400) }],
        SchemaVersion: '2027.1'
      }
  }
}

/** Creates and deletes come from the lifecycles (resource-lifecycle.ts), never at random. */
const LIFECYCLE_OPERATIONS = new Set(['PutApi', 'DeleteApi', 'DeleteConnection'])

const RANDOM_ACTIVITY_WEIGHTS = CONNECTOR_ACTIVITIES.filter(
  (x) => !LIFECYCLE_OPERATIONS.has(x.operation)
).map((x) => [x, x.weight] as const)

const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/148.0.0.0 Safari/537.36 Edg/148.0.0.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'PowerApps/3.25054.14 (iOS 18.4; iPhone)'
]

const DATA_POLICIES = ['Block social connectors', 'Finance data boundary', 'Default tenant policy']

const CUSTOM_CONNECTORS = CONNECTORS.filter((c) => c.tier === 'Custom')

/** What every Power Platform record of one event shares. */
interface Scaffold {
  world: TenantWorld
  base: Record<string, unknown> & { Id: string; CreationTime: string }
  person: Person
  ip: string
  userType: number
  env: { id: string; name: string }
  agent: string
}

/** A connector resource an event touches: its id, environment and display name. */
interface TouchedResource {
  id: string
  env: { id: string; name: string }
  name: string
}

/** A resource's environment: fixed per resource id. */
function environmentOf(world: TenantWorld, resourceId: string): { id: string; name: string } {
  return world.environments[hash32(resourceId, 'environment') % world.environments.length]!
}

function touched(world: TenantWorld, id: string, name = ''): TouchedResource {
  return { id, env: environmentOf(world, id), name }
}

/**
 * The resource a random connector event touches: a gateway, one of the long-lived custom
 * connectors or a pilot custom API alive at that time, or a connection alive at that time.
 */
function pooledResource(
  rng: Rng,
  ctx: GenContext,
  activity: ConnectorActivity,
  at: number
): TouchedResource {
  const { world, cfg } = ctx
  if (activity.resourceType === 'Gateway') {
    return touched(world, stableUuid(world.tenant.tenantId, 'gateway', rng.pick(GATEWAYS)))
  }
  if (activity.resourceType === 'CustomApi') {
    const pick = rng.int(CUSTOM_CONNECTORS.length + PILOT_API_SLOTS)
    const pilot =
      pick >= CUSTOM_CONNECTORS.length
        ? pilotApiAt(cfg.seed, pick - CUSTOM_CONNECTORS.length, at)
        : null
    if (pilot) {
      const api = pilotApi(cfg.seed, pilot)
      return touched(world, api.id, api.name)
    }
    const custom = CUSTOM_CONNECTORS[pick % CUSTOM_CONNECTORS.length]!
    return touched(world, `/providers/Microsoft.PowerApps/apis/${custom.id}`, custom.displayName)
  }
  const slots = connectionSlots(cfg.eventsPerDay)
  const life = liveConnection(cfg.seed, slots, rng.int(slots), at)
  const id = life
    ? connectionResourceId(cfg.seed, life)
    : `/providers/Microsoft.PowerApps/apis/${rng.pick(CONNECTORS).id}/connections/${rng.uuid().replace(/-/g, '')}`
  return touched(world, id)
}

function ppRecord(
  sc: Scaffold,
  activity: string,
  props: Array<[string, string]>,
  type: string
): AuditRecord {
  const { base, world, env } = sc
  return {
    ...base,
    RecordType: 256,
    Operation: activity,
    UserType: sc.userType,
    Workload: 'PowerPlatform',
    ResultStatus: 'Succeeded',
    EnvironmentId: env.id,
    RequiresCustomerKeyEncryption: false,
    PropertyCollection: [
      ...props,
      ['powerplatform.analytics.resource.environment.id', env.id],
      ['powerplatform.analytics.resource.environment.name', env.name],
      ['powerplatform.analytics.operation.is_successful', 'True'],
      ['enduser.ip_address', sc.ip],
      ['user_agent.original', sc.agent],
      ['powerplatform.analytics.resource.type', type],
      ['version', '1.0'],
      ['type', 'PowerPlatformAdministratorActivityRecord'],
      ['powerplatform.analytics.activity.name', activity],
      ['powerplatform.analytics.activity.id', base.Id],
      ['enduser.id', sc.person.oid],
      ['powerplatform.analytics.resource.tenant.id', world.tenant.tenantId],
      ['enduser.principal_name', sc.person.upn],
      ['enduser.role', sc.person.isAdmin ? 'Admin' : 'User']
    ].map(([Name, Value]) => ({ Name, Value }))
  }
}

/**
 * Who a permission event names: mostly a colleague; now and then the whole organisation (the
 * tenant id) on a connection or gateway, or a guest.
 */
function permissionTarget(rng: Rng, world: TenantWorld, activity: ConnectorActivity): string {
  const roll = rng.next()
  if (activity.resourceType !== 'CustomApi' && roll < 0.06) {
    return world.tenant.tenantId
  }
  if (roll > 0.95) {
    return rng.pick(world.guests).oid
  }
  return rng.pick(world.people).oid
}

/** A connector event on a resource, in either record generation. */
function connectorRecord(
  rng: Rng,
  scaffold: Scaffold,
  activity: ConnectorActivity,
  resource: TouchedResource,
  isLegacy: boolean
): AuditRecord {
  const sc: Scaffold = { ...scaffold, env: resource.env }
  const { base, person, world } = sc
  if (!isLegacy) {
    const props: Array<[string, string]> = [
      ['powerplatform.analytics.resource.connection.id', resource.id],
      ['powerplatform.analytics.resource.connection.action_name', activity.actionName]
    ]
    if (resource.name !== '') {
      props.push(['powerplatform.analytics.resource.display_name', resource.name])
    }
    if (activity.isPermission) {
      props.push([
        'powerplatform.analytics.resource.permission_type',
        rng.pick(['CanView', 'CanEdit', 'CanViewWithShare'])
      ])
      props.push(['targetuser.id', permissionTarget(rng, world, activity)])
    }
    if (activity.operation === 'ConnectionDlpEvaluationResultChange') {
      const policy = DATA_POLICIES[hash32(resource.env.id, 'policy') % DATA_POLICIES.length]!
      props.push([
        'powerplatform.analytics.resource.tenant.governance.api_policy.display_name',
        policy
      ])
    }
    return ppRecord(sc, activity.operation, props, activity.resourceType)
  }
  const info = {
    EnvironmentName: resource.env.id,
    ActionName: activity.actionName,
    ResourceId: resource.id
  }
  // Real legacy data carries AdditionalInfo as JSON text; some pipelines hand it over parsed.
  const record: AuditRecord = {
    ...base,
    RecordType: rng.chance(0.3) ? 79 : 187,
    Operation: activity.operation,
    UserType: sc.userType,
    Workload: 'PowerApps',
    ResultStatus: 'Succeeded',
    ObjectId: person.oid,
    AdditionalInfo: rng.chance(0.6) ? JSON.stringify(info) : info
  }
  if (rng.chance(0.5)) {
    record.ResourceId = resource.id
  }
  return record
}

const OPERATION_OF: Readonly<Record<string, ConnectorActivity>> = Object.fromEntries(
  CONNECTOR_ACTIVITIES.map((x) => [x.operation, x])
)

/**
 * A create or delete at its exact time: by the resource's creator (a delete now and then by an
 * admin), in either record generation.
 */
function lifecycleRecord(
  rng: Rng,
  cfg: GeneratorConfig,
  world: TenantWorld,
  event: LifecycleEvent,
  id: string
): AuditRecord {
  const isConnection = event.kind === 'connection'
  const resource = isConnection
    ? touched(world, connectionResourceId(cfg.seed, event.life))
    : (() => {
        const api = pilotApi(cfg.seed, event.life)
        return touched(world, api.id, api.name)
      })()
  const creator = world.people[hash32(resource.id, 'creator') % world.people.length]!
  const admins = world.people.filter((p) => p.isAdmin)
  const person =
    event.change === 'delete' && rng.chance(0.3) && admins.length > 0 ? rng.pick(admins) : creator
  const operation = isConnection
    ? event.change === 'create'
      ? 'PutConnection'
      : 'DeleteConnection'
    : event.change === 'create'
      ? 'PutApi'
      : 'DeleteApi'
  const activity = OPERATION_OF[operation]!
  const ip = world.ips[hash32(person.oid, 'home-ip') % world.ips.length]!
  const scaffold: Scaffold = {
    world,
    base: {
      CreationTime: creationTime(event.at),
      Id: id,
      OrganizationId: world.tenant.tenantId,
      UserKey: person.oid,
      UserId: person.upn,
      ClientIP: ip,
      Version: 1
    },
    person,
    ip,
    userType: person.isAdmin ? 2 : 0,
    env: resource.env,
    agent: rng.pick(AGENTS)
  }
  // Custom APIs alternate between the record generations, so both carry creates and deletes.
  const isLegacy = isConnection
    ? rng.chance(0.4)
    : (event.life.generation + event.life.slot + (event.change === 'delete' ? 1 : 0)) % 2 === 0
  return connectorRecord(rng, scaffold, activity, resource, isLegacy)
}
