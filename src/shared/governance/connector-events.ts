import type { NormalizedRecord } from '../audit'

/**
 * What a connector record did to which resource: the classification every governance view rests
 * on. Microsoft publishes the Purview labels of connector activities, not most of their Operation
 * strings (reference/audit-events.md §6), so a record is classified by the first of four rule
 * tables that speaks for it, and the answer says which rule decided:
 *
 * 1. its Operation, from the confirmed/probable strings and the REST verb + resource pattern
 *    (`Put…`, `Patch…`, `Delete…`) the known strings follow;
 * 2. its activity label (the catalog's, or a user mapping's), the fifteen Purview labels;
 * 3. its API action (`Microsoft.PowerApps/apis/connections/permissions/write`).
 *
 * Nothing is guessed beyond these tables: a record none of them speaks for is not a resource
 * change.
 */

/** The three kinds of connector resource. */
export type ResourceKind = 'connection' | 'custom-api' | 'gateway'

/** What a record did to its resource. */
export type ChangeKind =
  | 'create'
  /** `PutConnection` and its kin: Microsoft's label says "created or edited". */
  | 'create-or-edit'
  | 'edit'
  | 'delete'
  | 'permission-grant'
  | 'permission-remove'
  /** A data (DLP) policy turned the connection off (`Added ConnectionDlpEvaluationResult`). */
  | 'dlp-turned-off'
  | 'solution-aware'

/** One row of a classification table. */
export interface ChangeRule {
  kind: ResourceKind
  change: ChangeKind
}

/** Plain words for a change, for reasons and timelines. */
export const CHANGE_LABELS: Readonly<Record<ChangeKind, string>> = {
  create: 'created',
  'create-or-edit': 'created or edited',
  edit: 'edited',
  delete: 'deleted',
  'permission-grant': 'permission added or edited',
  'permission-remove': 'permission removed',
  'dlp-turned-off': 'turned off by a data policy',
  'solution-aware': 'made solution-aware'
}

/** Plain words for a resource kind. */
export const KIND_LABELS: Readonly<Record<ResourceKind, string>> = {
  connection: 'connection',
  'custom-api': 'custom API',
  gateway: 'gateway'
}

/**
 * Operation strings (case-insensitive). The confirmed/probable ones come from audit-events.md §6;
 * the others follow the same verb + resource pattern and are what the emulator emits. A user whose
 * tenant shows another string maps it to a Purview label in the catalog, and rule 2 picks it up.
 */
export const OPERATION_RULES: Readonly<Record<string, ChangeRule>> = {
  putconnection: { kind: 'connection', change: 'create-or-edit' },
  patchconnection: { kind: 'connection', change: 'edit' },
  deleteconnection: { kind: 'connection', change: 'delete' },
  putconnectionpermission: { kind: 'connection', change: 'permission-grant' },
  deleteconnectionpermission: { kind: 'connection', change: 'permission-remove' },
  connectiondlpevaluationresultchange: { kind: 'connection', change: 'dlp-turned-off' },
  putapi: { kind: 'custom-api', change: 'create-or-edit' },
  patchapi: { kind: 'custom-api', change: 'edit' },
  deleteapi: { kind: 'custom-api', change: 'delete' },
  putapipermission: { kind: 'custom-api', change: 'permission-grant' },
  deleteapipermission: { kind: 'custom-api', change: 'permission-remove' },
  migrateapitosolution: { kind: 'custom-api', change: 'solution-aware' },
  putgatewaycluster: { kind: 'gateway', change: 'create-or-edit' },
  patchgatewaycluster: { kind: 'gateway', change: 'edit' },
  deletegatewaycluster: { kind: 'gateway', change: 'delete' },
  putgatewaypermission: { kind: 'gateway', change: 'permission-grant' },
  deletegatewaypermission: { kind: 'gateway', change: 'permission-remove' }
}

/** The fifteen Purview labels of reference/connector-activities.md. */
export const LABEL_RULES: Readonly<Record<string, ChangeRule>> = {
  'API created': { kind: 'custom-api', change: 'create' },
  'API edited': { kind: 'custom-api', change: 'edit' },
  'API deleted': { kind: 'custom-api', change: 'delete' },
  'API permission added or edited': { kind: 'custom-api', change: 'permission-grant' },
  'API permission removed': { kind: 'custom-api', change: 'permission-remove' },
  'API made solution-aware': { kind: 'custom-api', change: 'solution-aware' },
  'Connection created or edited': { kind: 'connection', change: 'create-or-edit' },
  'Connection edited': { kind: 'connection', change: 'edit' },
  'Connection deleted': { kind: 'connection', change: 'delete' },
  'Connection permission added or edited': { kind: 'connection', change: 'permission-grant' },
  'Connection permission removed': { kind: 'connection', change: 'permission-remove' },
  'Gateway cluster edited': { kind: 'gateway', change: 'edit' },
  'Gateway permission added or edited': { kind: 'gateway', change: 'permission-grant' },
  'Gateway permission removed': { kind: 'gateway', change: 'permission-remove' },
  'Added ConnectionDlpEvaluationResult': { kind: 'connection', change: 'dlp-turned-off' }
}

/**
 * API actions (`AdditionalInfo.ActionName`, `…connection.action_name`), matched on the end of the
 * action, most specific first.
 */
export const ACTION_RULES: readonly (readonly [RegExp, ChangeRule])[] = [
  [/\/apis\/connections\/permissions\/write$/i, { kind: 'connection', change: 'permission-grant' }],
  [
    /\/apis\/connections\/permissions\/delete$/i,
    { kind: 'connection', change: 'permission-remove' }
  ],
  [
    /\/apis\/connections\/dlpevaluation\/action$/i,
    { kind: 'connection', change: 'dlp-turned-off' }
  ],
  [/\/apis\/connections\/write$/i, { kind: 'connection', change: 'create-or-edit' }],
  [/\/apis\/connections\/delete$/i, { kind: 'connection', change: 'delete' }],
  [/\/apis\/permissions\/write$/i, { kind: 'custom-api', change: 'permission-grant' }],
  [/\/apis\/permissions\/delete$/i, { kind: 'custom-api', change: 'permission-remove' }],
  [/\/apis\/migrate\/action$/i, { kind: 'custom-api', change: 'solution-aware' }],
  [/\/apis\/write$/i, { kind: 'custom-api', change: 'create-or-edit' }],
  [/\/apis\/delete$/i, { kind: 'custom-api', change: 'delete' }],
  [/\/gateways\/permissions\/write$/i, { kind: 'gateway', change: 'permission-grant' }],
  [/\/gateways\/permissions\/delete$/i, { kind: 'gateway', change: 'permission-remove' }],
  [/\/gateways\/write$/i, { kind: 'gateway', change: 'create-or-edit' }],
  [/\/gateways\/delete$/i, { kind: 'gateway', change: 'delete' }]
]

/** A connector record classified: which resource, what happened, and which rule said so. */
export interface ConnectorChange {
  kind: ResourceKind
  change: ChangeKind
  /** The rule that decided, in words (`Operation PutConnection`). */
  basis: string
}

/** Classifies a record, or returns null when no rule speaks for it. */
export function classifyConnectorRecord(record: NormalizedRecord): ConnectorChange | null {
  const byOperation = OPERATION_RULES[record.operation.toLowerCase()]
  if (byOperation) {
    return { ...byOperation, basis: `Operation ${record.operation}` }
  }
  const byLabel = Object.hasOwn(LABEL_RULES, record.activity)
    ? LABEL_RULES[record.activity]
    : undefined
  if (byLabel) {
    return { ...byLabel, basis: `activity "${record.activity}"` }
  }
  if (record.action !== '') {
    for (const [pattern, rule] of ACTION_RULES) {
      if (pattern.test(record.action)) {
        return { ...rule, basis: `action ${record.action}` }
      }
    }
  }
  return null
}

/** The data-policy fields a DLP evaluation record may name its policy in (none is documented). */
export const POLICY_NAME_FIELDS: readonly string[] = [
  'powerplatform.analytics.resource.tenant.governance.api_policy.display_name',
  'powerplatform.analytics.resource.tenant.governance.api_policy.id',
  'AdditionalInfo.policyName',
  'AdditionalInfo.PolicyName',
  'AdditionalInfo.policyId',
  'AdditionalInfo.PolicyId',
  'PolicyName',
  'PolicyId'
]

/** The data policy a DLP evaluation record names, or `''` when it names none. */
export function policyOf(record: NormalizedRecord): string {
  for (const key of POLICY_NAME_FIELDS) {
    const value = record.fields[key]
    if (value !== undefined && value !== '') {
      return value
    }
  }
  return ''
}

/**
 * The key a resource id is grouped by: trimmed, lower-cased (Power Platform ids are
 * case-insensitive), without a trailing slash.
 */
export function resourceKey(resourceId: string): string {
  return resourceId.trim().replace(/\/+$/, '').toLowerCase()
}
