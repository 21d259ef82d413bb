import type { ActivityCategory, CatalogConfidence } from './activity-catalog'

/**
 * Where a record came from, for provenance (reference/audit-events.md §13 rule 1). Filled by
 * importers and acquirers; the normalizer leaves it null.
 */
export interface RecordProvenance {
  /** The file name, API content id or Graph query id. */
  source: string
  /** 1-based line of the file where the record starts, or null when not from a file. */
  line: number | null
  /** SHA-256 of the raw text (hex), when the producer computed it. */
  rawSha256: string | null
  /** A CSV export's own display date (`CreationDate`), kept as provenance only (§12.2). */
  csvCreationDate: string | null
}

/**
 * One audit record as the cache stores it and the grid shows it.
 *
 * Every column is derived from `raw` and can be rebuilt from it. Text columns are `''` when the
 * record has no value for them.
 */
export interface NormalizedRecord {
  /** The audit record Id (GUIDs lower-cased, §13 rule 11): the primary key. */
  id: string
  /** Event time in UTC, ISO 8601 with `Z` (`2026-05-19T13:17:34.000Z`). */
  createdAt: string
  /** Event time as UTC epoch milliseconds. */
  createdAtMs: number
  /** RecordType number, or null when the record gave only an unknown name. */
  recordType: number | null
  /** RecordType name, decided by content for 79/187, or the number as text when unknown. */
  recordTypeName: string
  /** The raw Operation (from `powerplatform.analytics.activity.name` when the top level lacks it). */
  operation: string
  workload: string
  /** The acting user's UPN or system actor. */
  userId: string
  userKey: string
  /** UserType number, or null when missing or unrecognised. */
  userType: number | null
  userTypeLabel: string
  /** Client IP for display: IPv4-mapped IPv6 (`::ffff:a.b.c.d`) shown as `a.b.c.d` (§13 rule 12). */
  clientIp: string
  objectId: string
  organizationId: string
  resultStatus: string
  /** True/false from `is_successful` or ResultStatus; null when neither says. */
  succeeded: boolean | null
  /** Friendly activity name from the catalog, or the Operation verbatim when not catalogued. */
  activity: string
  category: ActivityCategory
  catalogConfidence: CatalogConfidence
  /** A connector event by §13 rule 5 (catalogued connector operation, connection payload, or PowerAppsResource). */
  isConnectorEvent: boolean
  /** Environment id, canonical: provider prefix stripped and lower-cased (§13 rule 11). */
  environment: string
  /** Environment technical or display name, when the record carries one. */
  environmentName: string
  /** The API action that caused the event. */
  action: string
  /** The item acted on: connection, custom API, gateway, app or flow id. */
  resource: string
  /** Display name of the item acted on, when the record carries one. */
  resourceName: string
  /** The connector involved (e.g. `shared_sql`), when the record tells. */
  connector: string
  /** Permission granted (connection sharing). */
  permissionType: string
  /** The principal a permission was granted to. */
  targetUserId: string
  /** The data-policy sub-operation of `GovernanceApiPolicyOperation` (`CreateDlpPolicy`…). */
  dlpSubOperation: string
  /** The actor's role string from the payload (`enduser.role`); not the UserType. */
  actorRole: string
  userAgent: string
  /** Every flattened field: top-level, nested (dotted), JSON-in-string and PropertyCollection. */
  fields: Record<string, string>
  /** Things the normalizer noticed: repeated keys, unparsed JSON text, values it filled in. */
  warnings: string[]
  /** The record exactly as received (never re-serialized). */
  raw: string
  provenance: RecordProvenance | null
}

/** Why a record could not be normalized. */
export type RejectCode = 'malformed-json' | 'not-an-object' | 'missing-id' | 'bad-date'

/** The outcome of normalizing one record. */
export type NormalizeResult =
  { ok: true; record: NormalizedRecord } | { ok: false; code: RejectCode; reason: string }
