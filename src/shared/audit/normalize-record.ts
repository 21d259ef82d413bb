import {
  DATA_POLICY_SUB_OPERATIONS,
  DEFAULT_ACTIVITY_INDEX,
  lookupActivity
} from './activity-catalog'
import type { ActivityCategory, ActivityIndex, CatalogConfidence } from './activity-catalog'
import { parseAuditTime, toUtcIso } from './audit-time'
import type { NormalizeResult, NormalizedRecord } from './normalized-record'
import { readAuditRecord } from './record-schema'
import { resolveRecordType, POWER_APPS_RESOURCE } from './record-types'
import { userTypeLabel, userTypeValue } from './user-types'

/**
 * The normalizer: one raw audit record in, one {@link NormalizedRecord} (or a specific reason for
 * refusing it) out. Implements reference/audit-events.md §13.
 */

/** A record to normalize: its raw JSON text, or that text with the value already parsed from it. */
export type NormalizeInput = string | { rawText: string; parsed?: unknown }

/** Options of {@link normalizeRecord}. */
export interface NormalizeOptions {
  /** The activity lookup; the built-in catalog by default. Pass one with user-defined mappings. */
  activityIndex?: ActivityIndex
  /**
   * An Id to use when the record has none (e.g. a CSV `RecordId` / `Identity` column). A warning
   * says the Id was filled in.
   */
  fallbackId?: string
  /**
   * False: the record's `fields` come back empty. They are still walked (the columns and
   * warnings come from them) but not kept: for a store that leaves them out and rebuilds them
   * from `raw` when read (src/main/services/store/encoded-records.ts), which saves building an
   * object of every field name per record. True by default.
   */
  keepFields?: boolean
}

/** At most this many fields are flattened from one record; the rest stay in `raw`. */
export const MAX_FLATTENED_FIELDS = 5000
const MAX_DEPTH = 32

const PP = 'powerplatform.analytics'
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Normalizes one raw audit record.
 *
 * Never throws on bad input: malformed JSON, a value that is not an object, a missing Id and a
 * missing or invalid CreationTime come back as `{ ok: false, code, reason }`. Everything else is
 * accepted: unknown fields, record types, workloads and operations are kept and shown (§13 rule
 * 13). `raw` is the input text itself, never re-serialized.
 */
export function normalizeRecord(
  input: NormalizeInput,
  options: NormalizeOptions = {}
): NormalizeResult {
  const rawText = typeof input === 'string' ? input : input.rawText
  let value: unknown
  if (typeof input !== 'string' && 'parsed' in input && input.parsed !== undefined) {
    value = input.parsed
  } else {
    try {
      value = JSON.parse(rawText)
    } catch (error) {
      return {
        ok: false,
        code: 'malformed-json',
        reason: `malformed JSON: ${error instanceof Error ? error.message : String(error)}`
      }
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      ok: false,
      code: 'not-an-object',
      reason: `not a JSON object: the record is ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}`
    }
  }
  const source = value as Record<string, unknown>
  const record = readAuditRecord(source)
  const warnings: string[] = []
  const sink = new FieldSink(warnings, options.keepFields !== false)
  flattenInto(sink, source)
  const fields = sink.fields
  const get = (lookup: Lookup): string => sink.first(lookup)

  let id = (record.Id ?? '').trim()
  if (id === '') {
    const fallback = get(L.activityId) || (options.fallbackId ?? '').trim()
    if (fallback === '') {
      return { ok: false, code: 'missing-id', reason: 'missing Id: the record has no Id field' }
    }
    warnings.push(
      `Id missing; taken from ${get(L.activityId) ? `${PP}.activity.id` : 'the CSV row'}`
    )
    id = fallback
  }
  if (GUID.test(id)) {
    id = id.toLowerCase()
  }

  const creationTime = record.CreationTime
  if (creationTime === undefined || creationTime === null || creationTime.trim() === '') {
    return { ok: false, code: 'bad-date', reason: 'bad date: the record has no CreationTime' }
  }
  const createdAtMs = parseAuditTime(creationTime)
  if (createdAtMs === null) {
    return {
      ok: false,
      code: 'bad-date',
      reason: `bad date: CreationTime "${truncate(creationTime, 40)}" is not a recognised date`
    }
  }

  let operation = record.Operation ?? ''
  if (operation === '' && get(L.activityName) !== '') {
    operation = get(L.activityName)
    warnings.push(`Operation missing; taken from ${PP}.activity.name`)
  }

  const index = options.activityIndex ?? DEFAULT_ACTIVITY_INDEX
  const match = operation === '' ? null : lookupActivity(operation, index)
  let activity = match?.activity ?? ''
  let category: ActivityCategory = match?.category ?? 'Other'
  const catalogConfidence: CatalogConfidence = match?.confidence ?? 'unknown'

  const dlpSubOperation = get(L.dlpSubOperation)
  if (dlpSubOperation !== '' && operation === 'GovernanceApiPolicyOperation') {
    activity = DATA_POLICY_SUB_OPERATIONS[dlpSubOperation] ?? `${activity} (${dlpSubOperation})`
  }

  const resourceIdLegacy = get(L.resourceIdLegacy)
  const action = get(L.action)
  const recordType = resolveRecordType(record.RecordType, {
    operation,
    hasPolicyInfo: get(L.policy) !== '',
    hasConnectorInfo: resourceIdLegacy !== '' || action !== '',
    isCatalogConnectorOperation: match?.entry?.isConnectorActivity === true
  })

  const isConnectorEvent =
    match?.entry?.isConnectorActivity === true ||
    sink.hasConnectionPayload ||
    recordType.name === POWER_APPS_RESOURCE
  if (isConnectorEvent && catalogConfidence === 'unknown') {
    // Unmapped connector operations are grouped by their name; the confidence stays 'unknown'.
    category = guessConnectorCategory(operation)
  }

  const flow = parseFlowUrl(get(L.flowUrl))
  const environmentRaw = get(L.environment)
  const resource =
    get(L.connectionId) ||
    resourceIdLegacy ||
    get(L.appOrResourceId) ||
    flow.flowId ||
    (record.ObjectId ?? '')
  const userTypeNumber = userTypeValue(record.UserType)

  const normalized: NormalizedRecord = {
    id,
    createdAt: toUtcIso(createdAtMs),
    createdAtMs,
    recordType: recordType.value,
    recordTypeName: recordType.name,
    operation,
    workload: record.Workload ?? '',
    userId: record.UserId ?? get(L.principalName),
    userKey: record.UserKey ?? '',
    userType: userTypeNumber,
    userTypeLabel:
      userTypeNumber === null
        ? typeof record.UserType === 'string'
          ? record.UserType
          : ''
        : userTypeLabel(userTypeNumber),
    clientIp: displayIp(record.ClientIP ?? get(L.ipAddress)),
    objectId: record.ObjectId ?? '',
    organizationId: record.OrganizationId ?? get(L.tenantId),
    resultStatus: record.ResultStatus ?? '',
    succeeded: succeededFrom(get(L.isSuccessful), record.ResultStatus ?? ''),
    activity,
    category,
    catalogConfidence,
    isConnectorEvent,
    environment: canonicalEnvironment(environmentRaw || flow.environment),
    environmentName: get(L.environmentName),
    action,
    resource,
    resourceName: get(L.resourceName),
    connector: connectorOf(get, resource, resourceIdLegacy),
    permissionType: get(L.permissionType),
    targetUserId: get(L.targetUserId),
    dlpSubOperation,
    actorRole: get(L.role),
    userAgent: get(L.userAgent),
    fields,
    warnings,
    raw: rawText,
    provenance: null
  }
  return { ok: true, record: normalized }
}

/**
 * Flattens a parsed record into `Name → text` fields (§13 rules 6–7).
 *
 * Top-level fields keep their names; nested objects become dotted keys and arrays `[i]` keys;
 * strings that hold JSON (`AdditionalInfo`, `…additional_resources`) are kept as they are and
 * their content is flattened under the same key; `PropertyCollection` Name/Value pairs become
 * fields named by `Name`, in array order. A repeated key is kept as `key#2`, `key#3` with a
 * warning. Text that looks like JSON but does not parse is kept and reported as unparsed.
 */
export function flattenRecord(
  source: Record<string, unknown>,
  warnings: string[] = []
): Record<string, string> {
  const sink = new FieldSink(warnings, true)
  flattenInto(sink, source)
  return sink.fields
}

function flattenInto(sink: FieldSink, source: Record<string, unknown>): void {
  for (const key in source) {
    const value = source[key]
    if (key === 'PropertyCollection' && Array.isArray(value)) {
      flattenPropertyCollection(sink, value)
    } else {
      flattenValue(sink, key, value, 0)
    }
  }
}

/**
 * The field names the normalizer reads, in groups looked up together: the first non-empty field
 * of a group wins (§13 rule 8: case-insensitively). Only these names are folded to lower case
 * while flattening, so a look-up never walks every field of a record.
 */
const LOOKUP_GROUPS = {
  activityId: [`${PP}.activity.id`],
  activityName: [`${PP}.activity.name`],
  dlpSubOperation: [`${PP}.resource.tenant.governance.api_policy.operation_name`],
  resourceIdLegacy: ['AdditionalInfo.ResourceId', 'ResourceId'],
  action: [`${PP}.resource.connection.action_name`, 'AdditionalInfo.ActionName', 'ActionName'],
  policy: ['AdditionalInfo.policyId', 'AdditionalInfo.policyType'],
  flowUrl: ['FlowDetailsUrl'],
  environment: [
    `${PP}.resource.environment.id`,
    'EnvironmentId',
    'AdditionalInfo.EnvironmentName',
    'EnvironmentName'
  ],
  connectionId: [`${PP}.resource.connection.id`],
  appOrResourceId: [`${PP}.resource.power_app.id`, `${PP}.resource.id`, 'AppName'],
  principalName: ['enduser.principal_name'],
  ipAddress: ['enduser.ip_address'],
  tenantId: [`${PP}.resource.tenant.id`],
  isSuccessful: [`${PP}.operation.is_successful`],
  environmentName: [`${PP}.resource.environment.name`],
  resourceName: [`${PP}.resource.display_name`, `${PP}.resource.power_app.display_name`],
  permissionType: [`${PP}.resource.permission_type`],
  targetUserId: ['targetuser.id'],
  role: ['enduser.role'],
  userAgent: ['user_agent.original'],
  connectorName: [
    `${PP}.resource.connector.name`,
    `${PP}.resource.connector.id`,
    `${PP}.resource.api.name`,
    `${PP}.resource.api.id`,
    'AdditionalInfo.ConnectorName',
    'AdditionalInfo.ApiName',
    'ConnectorName',
    'ApiName'
  ],
  flowConnectors: ['FlowConnectorNames']
} satisfies Record<string, readonly string[]>

/** Every name of {@link LOOKUP_GROUPS}, once. */
const LOOKUP_KEYS: readonly string[] = [...new Set(Object.values(LOOKUP_GROUPS).flat())]
const CONNECTION_PREFIX = `${PP}.resource.connection.`

/** The index of each look-up name in {@link LOOKUP_KEYS}, by exact name and by lower-cased name. */
const LOOKUP_INDEX = new Map<string, number>(LOOKUP_KEYS.map((key, i) => [key, i]))
const LOOKUP_INDEX_FOLDED = new Map<string, number>(
  LOOKUP_KEYS.map((key, i) => [key.toLowerCase(), i])
)

/**
 * A group of {@link LOOKUP_GROUPS} as the indexes of its names in {@link LOOKUP_KEYS}: made once
 * here, not per record (a name spelled `${PP}.…` at the call would be a new string, hashed
 * again, every time).
 */
type Lookup = readonly number[]

const L = Object.fromEntries(
  Object.entries(LOOKUP_GROUPS).map(([group, names]) => [
    group,
    names.map((name) => LOOKUP_INDEX.get(name)!)
  ])
) as unknown as Record<keyof typeof LOOKUP_GROUPS, Lookup>

/**
 * Which look-up name each field name is, case-insensitively (-1: none). Field names repeat
 * across records, so each is folded and looked up once.
 */
const lookupCache = new Map<string, number>()
const LOOKUP_CACHE_MAX = 50_000

function lookupIndexOf(name: string): number {
  let index = lookupCache.get(name)
  if (index === undefined) {
    index = LOOKUP_INDEX_FOLDED.get(name.toLowerCase()) ?? -1
    if (lookupCache.size >= LOOKUP_CACHE_MAX) {
      lookupCache.clear()
    }
    lookupCache.set(name, index)
  }
  return index
}

class FieldSink {
  /**
   * Every field by name (empty when the fields are not kept). No prototype, so no name (not even
   * `__proto__`) means anything but a field. Made from `{}` rather than `Object.create(null)`:
   * V8 keeps such an object's properties in fast mode while it has up to ~19 of them (one made by
   * `Object.create(null)` starts as a hash table), so reading a record's fields back (the chunk
   * encoder's `for…in`) costs less. Measured on the explorer benchmark's records under Node,
   * three runs alternating: encoding a 4,096-record chunk 45–49 → 42–43 ms, normalizing it
   * 51–53 → 49–52 ms.
   */
  readonly fields: Record<string, string> = Object.setPrototypeOf({}, null) as Record<
    string,
    string
  >
  /** The names given out, to make a repeated one unique, when `fields` is not kept. */
  private readonly names: Set<string> | null
  /**
   * For each {@link LOOKUP_KEYS} name: the value of the field of exactly that name, and the
   * first non-empty value of a field of that name in any case (§13 rule 8).
   */
  private readonly exact: Array<string | undefined> = new Array<string | undefined>(
    LOOKUP_KEYS.length
  )
  private readonly loose: Array<string | undefined> = new Array<string | undefined>(
    LOOKUP_KEYS.length
  )
  /** A field under `powerplatform.analytics.resource.connection.` was seen (§13 rule 5). */
  hasConnectionPayload = false
  private count = 0
  private isFull = false

  constructor(
    private readonly warnings: string[],
    isKept: boolean
  ) {
    this.names = isKept ? null : new Set<string>()
  }

  put(key: string, value: string): void {
    if (this.count >= MAX_FLATTENED_FIELDS) {
      if (!this.isFull) {
        this.isFull = true
        this.warnings.push(
          `more than ${MAX_FLATTENED_FIELDS} fields; the rest are only in the raw record`
        )
      }
      return
    }
    let name = key
    if (this.has(name)) {
      let n = 2
      while (this.has(`${key}#${n}`)) {
        n += 1
      }
      name = `${key}#${n}`
      if (n === 2) {
        this.warnings.push(`repeated key: ${key}`)
      }
    }
    if (this.names === null) {
      this.fields[name] = value
    } else {
      this.names.add(name)
    }
    this.count += 1
    if (value !== '') {
      const index = lookupIndexOf(name)
      if (index >= 0) {
        if (this.loose[index] === undefined) {
          this.loose[index] = value
        }
        if (this.exact[index] === undefined && name === LOOKUP_KEYS[index]) {
          this.exact[index] = value
        }
      }
    }
    if (!this.hasConnectionPayload && name.startsWith(CONNECTION_PREFIX)) {
      this.hasConnectionPayload = true
    }
  }

  /**
   * The first non-empty value of the keys (§13 rule 8): each looked up exactly first, then
   * case-insensitively (the first non-empty field of that name in any case).
   */
  first(lookup: Lookup): string {
    for (const index of lookup) {
      const value = this.exact[index] ?? this.loose[index]
      if (value !== undefined) {
        return value
      }
    }
    return ''
  }

  warn(message: string): void {
    this.warnings.push(message)
  }

  private has(name: string): boolean {
    return this.names === null ? name in this.fields : this.names.has(name)
  }
}

/**
 * The flattened names made so far: `parent.child` and `parent[i]` by their parts. Records repeat
 * the same shapes, so each name is one string made once and reused: every later look-up of it
 * (the normalizer's, the chunk encoder's) finds its hash already computed, and no record makes a
 * new string per nested field. Cleared when it grows past {@link KEY_CACHE_MAX} names.
 */
const childKeys = new Map<string, Map<string, string>>()
const itemKeys = new Map<string, string[]>()
let cachedKeys = 0
const KEY_CACHE_MAX = 100_000

function rememberKey(): void {
  if (++cachedKeys > KEY_CACHE_MAX) {
    childKeys.clear()
    itemKeys.clear()
    cachedKeys = 0
  }
}

function childKey(parent: string, child: string): string {
  let children = childKeys.get(parent)
  if (children === undefined) {
    children = new Map()
    childKeys.set(parent, children)
  }
  let key = children.get(child)
  if (key === undefined) {
    key = `${parent}.${child}`
    children.set(child, key)
    rememberKey()
  }
  return key
}

function itemKey(parent: string, i: number): string {
  let items = itemKeys.get(parent)
  if (items === undefined) {
    items = []
    itemKeys.set(parent, items)
  }
  let key = items[i]
  if (key === undefined) {
    key = `${parent}[${i}]`
    items[i] = key
    rememberKey()
  }
  return key
}

function flattenPropertyCollection(sink: FieldSink, entries: unknown[]): void {
  entries.forEach((entry, i) => {
    if (
      typeof entry === 'object' &&
      entry !== null &&
      !Array.isArray(entry) &&
      typeof (entry as { Name?: unknown }).Name === 'string'
    ) {
      const { Name: name, Value: value } = entry as { Name: string; Value?: unknown }
      flattenValue(sink, name, value, 1)
    } else {
      sink.warn(`PropertyCollection[${i}] has no Name`)
      flattenValue(sink, `PropertyCollection[${i}]`, entry, 1)
    }
  })
}

function flattenValue(sink: FieldSink, key: string, value: unknown, depth: number): void {
  if (value === null || value === undefined) {
    sink.put(key, '')
  } else if (typeof value === 'string') {
    sink.put(key, value)
    flattenJsonText(sink, key, value, depth)
  } else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    sink.put(key, String(value))
  } else if (depth >= MAX_DEPTH) {
    sink.put(key, JSON.stringify(value))
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      sink.put(key, '[]')
    }
    value.forEach((item, i) => flattenValue(sink, itemKey(key, i), item, depth + 1))
  } else if (typeof value === 'object') {
    const object = value as Record<string, unknown>
    let isEmpty = true
    for (const child in object) {
      isEmpty = false
      flattenValue(sink, childKey(key, child), object[child], depth + 1)
    }
    if (isEmpty) {
      sink.put(key, '{}')
    }
  }
}

function flattenJsonText(sink: FieldSink, key: string, text: string, depth: number): void {
  const trimmed = text.trimStart()
  const first = trimmed[0]
  if (first !== '{' && first !== '[') {
    return
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(trimmed)
  } catch {
    sink.warn(`unparsed: ${key} looks like JSON but is not valid JSON; kept as text`)
    return
  }
  if (typeof parsed !== 'object' || parsed === null || depth >= MAX_DEPTH) {
    return
  }
  if (Array.isArray(parsed)) {
    parsed.forEach((item, i) => flattenValue(sink, itemKey(key, i), item, depth + 1))
  } else {
    const object = parsed as Record<string, unknown>
    for (const child in object) {
      flattenValue(sink, childKey(key, child), object[child], depth + 1)
    }
  }
}

function guessConnectorCategory(operation: string): ActivityCategory {
  if (/Gateway/i.test(operation)) {
    return 'Gateway'
  }
  if (/Dlp/i.test(operation)) {
    return 'Data policy'
  }
  if (/Connection/i.test(operation)) {
    return 'Connection'
  }
  if (/Api/.test(operation)) {
    return 'API'
  }
  return 'Other'
}

function succeededFrom(isSuccessful: string, resultStatus: string): boolean | null {
  const flag = (isSuccessful || resultStatus).trim().toLowerCase()
  if (['true', 'succeeded', 'success'].includes(flag)) {
    return true
  }
  if (['false', 'failed', 'failure'].includes(flag)) {
    return false
  }
  return null
}

function displayIp(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip.trim())
  return mapped?.[1] ?? ip
}

/** Canonical environment id (§13 rule 11): provider prefix stripped, lower-cased. */
function canonicalEnvironment(value: string): string {
  return value
    .trim()
    .replace(/^\/?providers\/Microsoft\.BusinessAppPlatform\/environments\//i, '')
    .toLowerCase()
}

function parseFlowUrl(url: string): { environment: string; flowId: string } {
  const match = /\/environments\/([^/?#]+)\/flows\/([^/?#]+)/i.exec(url)
  return { environment: match?.[1] ?? '', flowId: match?.[2] ?? '' }
}

/**
 * The connector of a record. No Power Platform connector key is documented (§9.2), so read the
 * plausible ones if present, then take `shared_x` out of an `/apis/shared_x` resource path, then
 * a flow's connector list.
 */
function connectorOf(get: (lookup: Lookup) => string, ...ids: string[]): string {
  const named = get(L.connectorName)
  if (named !== '') {
    return apiName(named) ?? named
  }
  for (const id of ids) {
    const name = apiName(id)
    if (name !== null) {
      return name
    }
  }
  return get(L.flowConnectors)
}

function apiName(id: string): string | null {
  return /\/apis\/([^/?#]+)/i.exec(id)?.[1] ?? null
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}
