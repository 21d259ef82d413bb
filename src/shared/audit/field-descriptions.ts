/**
 * Plain-language labels and descriptions of audit record fields, as data, for the details pane.
 *
 * Keys are the names used in `NormalizedRecord.fields`: top-level fields as they are
 * (`ClientIP`), nested ones dotted (`AdditionalInfo.EnvironmentName`), array items as `[]`
 * (`AdditionalInfo.changeSet.changedProperties[].name`), PropertyCollection entries by their
 * Name (`powerplatform.analytics.resource.environment.id`). Sources: reference/audit-events.md
 * §4, §8, §9.2, §12 and connector-activities.md.
 */

/** A field's short label and one-line description. */
export interface FieldDescription {
  label: string
  description: string
}

/** A description as looked up, saying whether the field is known. */
export interface FieldDescriptionMatch extends FieldDescription {
  /** False when the description is the fallback for a field we have never seen documented. */
  isKnown: boolean
}

const PC = 'powerplatform.analytics'

/** Every field we can describe. */
export const FIELD_DESCRIPTIONS: Readonly<Record<string, FieldDescription>> = {
  // Common schema (§4) and the auditor's details (connector-activities.md)
  Id: {
    label: 'Record ID',
    description:
      "The record's unique ID (also the request correlation ID). Duplicates are collapsed on it."
  },
  RecordType: {
    label: 'Record type',
    description: 'A number for the kind of record, e.g. 256 for Power Platform admin activity.'
  },
  CreationTime: {
    label: 'Created (UTC)',
    description: 'When the event happened, in UTC (the source writes it without a time zone).'
  },
  Operation: {
    label: 'Operation',
    description: 'The raw name of the operation, exactly as Microsoft logged it.'
  },
  OrganizationId: {
    label: 'Tenant ID',
    description: "The unique ID of the organisation's tenant."
  },
  UserType: {
    label: 'User type',
    description: 'A number for the kind of actor: 0 regular user, 2 admin, 4 system, 5 application…'
  },
  UserKey: {
    label: 'User key',
    description: "An alternative ID of the actor; for Power Platform records, the user's Entra ID."
  },
  UserId: {
    label: 'User',
    description: "The acting user's e-mail address (UPN), or a system actor such as Certificate."
  },
  Workload: {
    label: 'Workload',
    description: 'The Microsoft 365 service that logged the event, e.g. PowerPlatform.'
  },
  ResultStatus: {
    label: 'Result',
    description: 'Whether the operation succeeded: Succeeded, PartiallySucceeded or Failed.'
  },
  ObjectId: {
    label: 'Object ID',
    description: 'The unique ID of the object (user or resource) the event is about.'
  },
  ClientIP: {
    label: 'IP address',
    description: "The client's IP address (IPv4 addresses may be written as ::ffff:a.b.c.d)."
  },
  Scope: { label: 'Scope', description: 'Where the event happened: 0 online, 1 on-premises.' },
  AppAccessContext: {
    label: 'App access context',
    description: 'Details of the app and token that performed the action.'
  },
  Version: { label: 'Schema version', description: 'Version of the record schema (always 1).' },
  EnvironmentId: {
    label: 'Environment ID',
    description: 'The unique ID of the Power Platform environment.'
  },
  RequiresCustomerKeyEncryption: {
    label: 'Customer key encryption',
    description: 'Whether the record is protected with a customer-managed key.'
  },
  PropertyCollection: {
    label: 'Property collection',
    description: 'The Name/Value pairs that carry the details of a Power Platform (256) record.'
  },

  // Legacy connector and Power Apps records (§8.1, §8.2)
  AdditionalInfo: {
    label: 'Additional info',
    description: 'Extra detail, as JSON text: environment, API action and resource acted on.'
  },
  'AdditionalInfo.EnvironmentName': {
    label: 'Environment ID',
    description: "The environment's unique ID (despite the name, not its display name)."
  },
  'AdditionalInfo.ActionName': {
    label: 'API action',
    description: 'The API action that caused the event.'
  },
  'AdditionalInfo.ResourceId': {
    label: 'Resource ID',
    description: 'The custom API, connection or gateway that was acted on.'
  },
  ResourceId: {
    label: 'Resource ID',
    description: 'The custom API, connection or gateway that was acted on.'
  },
  ActionName: { label: 'API action', description: 'The API action that caused the event.' },
  EnvironmentName: { label: 'Environment ID', description: "The environment's unique ID." },
  AppName: { label: 'App ID', description: 'The unique ID of the Power Apps app.' },

  // Legacy data-policy AdditionalInfo (§8.4)
  'AdditionalInfo.policyId': {
    label: 'Data policy ID',
    description: 'The unique ID of the data (DLP) policy.'
  },
  'AdditionalInfo.policyType': {
    label: 'Data policy scope',
    description:
      'Which environments the policy covers: AllEnvironments, SingleEnvironment, OnlyEnvironments or ExceptEnvironments.'
  },
  'AdditionalInfo.defaultConnectorClassification': {
    label: 'Default connector group',
    description: 'The group new connectors fall into: General, Confidential or Blocked.'
  },
  'AdditionalInfo.changeSet.changedProperties[].name': {
    label: 'Changed property',
    description: 'A policy property that changed.'
  },
  'AdditionalInfo.changeSet.changedProperties[].previousValue': {
    label: 'Previous value',
    description: 'The value of the changed property before the change.'
  },
  'AdditionalInfo.changeSet.changedProperties[].currentValue': {
    label: 'New value',
    description: 'The value of the changed property after the change.'
  },
  'AdditionalInfo.changeSet.connectorChanges[].name': {
    label: 'Connector',
    description: 'A connector whose data-policy group changed.'
  },
  'AdditionalInfo.changeSet.connectorChanges[].id': {
    label: 'Connector ID',
    description: 'The ID of the connector whose group changed.'
  },
  'AdditionalInfo.changeSet.connectorChanges[].previousValue.classification': {
    label: 'Previous group',
    description: 'The data-policy group of the connector before the change.'
  },
  'AdditionalInfo.changeSet.connectorChanges[].currentValue.classification': {
    label: 'New group',
    description: 'The data-policy group of the connector after the change.'
  },

  // Power Automate (§8.3)
  FlowDetailsUrl: {
    label: 'Flow link',
    description: 'Link to the flow; the environment ID and flow ID are parts of the path.'
  },
  FlowConnectorNames: {
    label: 'Flow connectors',
    description: "The connectors in the flow's definition when the event happened."
  },
  SharingPermission: {
    label: 'Sharing permission',
    description: 'The permission granted when sharing a flow: 3 owner, 2 run-only.'
  },
  RecipientUPN: {
    label: 'Shared with',
    description: 'The user the flow was shared with.'
  },
  LicenseDisplayName: { label: 'Licence', description: 'The licence involved in the event.' },
  UserTypeInitiated: {
    label: 'Initiated by',
    description: 'Who started the action: 1 user, 2 admin.'
  },
  UserUPN: { label: 'User UPN', description: "The acting user's e-mail address." },

  // RecordType 256 PropertyCollection keys (§9.2)
  type: { label: 'Record class', description: 'The kind of Power Platform record.' },
  version: { label: 'Payload version', description: 'Version of the Power Platform payload.' },
  [`${PC}.activity.name`]: {
    label: 'Activity name',
    description: 'The operation, as the Power Platform payload names it (equals Operation).'
  },
  [`${PC}.activity.id`]: {
    label: 'Activity ID',
    description: 'The unique ID of the activity (equals the record ID).'
  },
  [`${PC}.operation.is_successful`]: {
    label: 'Succeeded',
    description: 'Whether the operation succeeded (True or False).'
  },
  [`${PC}.correlation.id`]: {
    label: 'Correlation ID',
    description: 'Links this event to others from the same request.'
  },
  [`${PC}.resource.telemetry_correlation.id`]: {
    label: 'Correlation ID',
    description: 'Links this event to others from the same request.'
  },
  [`${PC}.resource.type`]: {
    label: 'Resource type',
    description: 'The kind of resource acted on, e.g. PowerApp or ApiPolicy.'
  },
  [`${PC}.resource.id`]: {
    label: 'Resource ID',
    description: 'The unique ID of the resource acted on.'
  },
  [`${PC}.resource.display_name`]: {
    label: 'Resource name',
    description: 'The display name of the resource acted on.'
  },
  [`${PC}.resource.environment.id`]: {
    label: 'Environment ID',
    description: 'The unique ID of the Power Platform environment.'
  },
  [`${PC}.resource.environment.name`]: {
    label: 'Environment name',
    description: 'The technical or display name of the environment.'
  },
  [`${PC}.resource.tenant.id`]: {
    label: 'Tenant ID',
    description: "The unique ID of the organisation's tenant."
  },
  [`${PC}.resource.power_app.id`]: {
    label: 'App ID',
    description: 'The unique ID of the Power Apps app.'
  },
  [`${PC}.resource.power_app.display_name`]: {
    label: 'App name',
    description: 'The display name of the Power Apps app.'
  },
  [`${PC}.resource.connection.id`]: {
    label: 'Connection ID',
    description: 'The unique ID of the connection, custom API or gateway acted on.'
  },
  [`${PC}.resource.connection.action_name`]: {
    label: 'API action',
    description: 'The API action that caused the event.'
  },
  [`${PC}.resource.permission_type`]: {
    label: 'Permission',
    description: 'The permission that was granted.'
  },
  'targetuser.id': {
    label: 'Granted to',
    description: 'The user or group a permission was granted to.'
  },
  'enduser.id': { label: 'Actor ID', description: "The acting user's Entra ID (may be empty)." },
  'enduser.principal_name': {
    label: 'Actor',
    description: "The acting user's e-mail address (UPN) or name."
  },
  'enduser.role': {
    label: 'Actor role',
    description: 'The role the actor acted in, e.g. Admin (not the same as User type).'
  },
  'enduser.ip_address': {
    label: 'Actor IP address',
    description: "The client's IP address (often written as ::ffff:a.b.c.d)."
  },
  'user_agent.original': {
    label: 'Browser',
    description: 'The browser or program (user agent) that made the request.'
  },
  [`${PC}.resource.tenant.governance.api_policy.operation_name`]: {
    label: 'Data policy action',
    description: 'What was done to the data (DLP) policy, e.g. CreateDlpPolicy or DeleteDlpPolicy.'
  },
  [`${PC}.resource.tenant.governance.api_policy.operation_result`]: {
    label: 'Data policy action succeeded',
    description: 'Whether the data-policy change succeeded (True or False).'
  },
  [`${PC}.resource.tenant.governance.api_policy.additional_resources`]: {
    label: 'Data policy details',
    description: 'Further detail of the data-policy change, as JSON text.'
  },
  [`${PC}.resource.tenant.lockbox.request.id`]: {
    label: 'Lockbox request ID',
    description: 'The unique ID of the Customer Lockbox request.'
  },
  [`${PC}.resource.tenant.lockbox.request.state`]: {
    label: 'Lockbox request state',
    description: 'The state of the Customer Lockbox request, e.g. Created.'
  },
  [`${PC}.resource.tenant.lockbox.request.expiration_time`]: {
    label: 'Lockbox request expires',
    description: 'When the Customer Lockbox request expires (with its time zone offset).'
  },
  [`${PC}.resource.tenant.lockbox.data_access.duration`]: {
    label: 'Lockbox access hours',
    description: 'How many hours of data access the Customer Lockbox request asks for.'
  },
  [`${PC}.resource.tenant.lockbox.support_ticket.id`]: {
    label: 'Support ticket',
    description: 'The support ticket behind the Customer Lockbox request.'
  },
  [`${PC}.resource.tenant.is_lockbox_enabled`]: {
    label: 'Lockbox enabled',
    description: 'Whether Customer Lockbox is turned on for the tenant.'
  },

  // CSV export columns (§12.1): provenance, not event data
  RecordId: {
    label: 'Record ID (CSV)',
    description: 'The record ID column of a Purview export (equals Id).'
  },
  CreationDate: {
    label: 'Creation date (CSV)',
    description:
      'The display date of a CSV export. Its time zone is not written; the event time comes from CreationTime.'
  },
  UserIds: { label: 'User (CSV)', description: 'The user column of a CSV export.' },
  Operations: { label: 'Operation (CSV)', description: 'The operation column of a CSV export.' },
  AuditData: {
    label: 'Audit data (CSV)',
    description: 'The full record as JSON text, as the CSV export carries it.'
  },
  AssociatedAdminUnits: {
    label: 'Admin units (CSV)',
    description: 'IDs of the administrative units the actor belongs to.'
  },
  AssociatedAdminUnitsNames: {
    label: 'Admin unit names (CSV)',
    description: 'Names of the administrative units the actor belongs to.'
  },
  Identity: {
    label: 'Identity (CSV)',
    description: 'The record identity column of a Search-UnifiedAuditLog export.'
  },
  ResultIndex: {
    label: 'Result index (CSV)',
    description: 'The position of the row in a Search-UnifiedAuditLog result.'
  },
  ResultCount: {
    label: 'Result count (CSV)',
    description: 'How many results the Search-UnifiedAuditLog search found in total.'
  }
}

const FOLDED = new Map<string, FieldDescription>(
  Object.entries(FIELD_DESCRIPTIONS).map(([key, value]) => [key.toLowerCase(), value])
)

/** What the details pane shows for a field nobody has described yet. */
export const UNKNOWN_FIELD_DESCRIPTION =
  'A field of the raw record that has no description yet; its value is shown exactly as received.'

/**
 * The label and description of a field. Looks the key up exactly, then without a repeat
 * suffix (`key#2`) and array indexes (`[3]` → `[]`), then case-insensitively (§13 rule 8), then
 * the nearest described parent (`AppAccessContext.ClientAppId` → part of App access context),
 * and otherwise falls back to {@link UNKNOWN_FIELD_DESCRIPTION} with the key's last part as label.
 */
export function describeField(key: string): FieldDescriptionMatch {
  const base = key.replace(/#\d+$/, '').replace(/\[\d+\]/g, '[]')
  const direct =
    FIELD_DESCRIPTIONS[key] ?? FIELD_DESCRIPTIONS[base] ?? FOLDED.get(base.toLowerCase())
  if (direct) {
    return { ...direct, isKnown: true }
  }
  let parent = base
  for (;;) {
    const cut = Math.max(parent.lastIndexOf('.'), parent.lastIndexOf('['))
    if (cut <= 0) {
      break
    }
    parent = parent.slice(0, cut)
    const found = FIELD_DESCRIPTIONS[parent] ?? FOLDED.get(parent.toLowerCase())
    if (found) {
      return {
        label: `${found.label}: ${lastPart(base)}`,
        description: `Part of ${found.label.toLowerCase()}. ${found.description}`,
        isKnown: true
      }
    }
  }
  return { label: lastPart(base), description: UNKNOWN_FIELD_DESCRIPTION, isKnown: false }
}

function lastPart(key: string): string {
  const parts = key.split('.').filter((part) => part !== '')
  return parts[parts.length - 1] ?? key
}
