/**
 * The activity catalog: friendly activity names, their categories and the `Operation` strings
 * that carry them, as data (reference/audit-events.md §6–§7, §13 rule 15; connector-activities.md).
 *
 * Microsoft publishes the Purview activity labels, not the Operation strings, so most connector
 * activities have no known Operation yet: they are listed with an empty `operations` list and
 * are never guessed. An Operation that is not in the catalog is shown verbatim with confidence
 * `unknown`. Callers can extend the catalog with {@link buildActivityIndex}.
 */

/** The category an activity is grouped under. The first four are the connector categories. */
export type ActivityCategory =
  | 'API'
  | 'Connection'
  | 'Gateway'
  | 'Data policy'
  | 'Power Apps'
  | 'Power Automate'
  | 'Power Platform admin'
  | 'Copilot Studio'
  | 'Other'

/** The connector categories of connector-activities.md. */
export const CONNECTOR_CATEGORIES: readonly ActivityCategory[] = [
  'API',
  'Connection',
  'Gateway',
  'Data policy'
]

/** How sure we are that an Operation string carries an activity (audit-events.md, status words). */
export type CatalogConfidence = 'confirmed' | 'probable' | 'unknown'

/** One Operation string known to carry an activity. */
export interface CatalogOperation {
  operation: string
  confidence: Exclude<CatalogConfidence, 'unknown'>
  /** Where the mapping comes from, in a few words. */
  evidence: string
}

/** One activity of the catalog. */
export interface CatalogActivity {
  /** The friendly name shown in the grid. */
  activity: string
  category: ActivityCategory
  /** One line on what happened, for the details pane. */
  description: string
  /** True when `activity` is Microsoft's own Purview label; false when we worded it. */
  isPurviewLabel: boolean
  /** True for the fifteen connector activities (and connector operations without a label). */
  isConnectorActivity: boolean
  /** Operation strings known to carry this activity; empty while none is known. */
  operations: readonly CatalogOperation[]
}

const LEARN_POWER_APPS = 'Microsoft Learn Power Apps activity list (2023) and Sentinel rules'
const LEARN_PP_ADMIN = 'Microsoft Learn Power Platform admin activity list'
const LEARN_COPILOT = 'Microsoft Learn Copilot Studio activity list'
const SENTINEL_FLOW = 'Sentinel analytic rules'

function connector(
  activity: string,
  category: ActivityCategory,
  description: string,
  operations: readonly CatalogOperation[] = []
): CatalogActivity {
  return {
    activity,
    category,
    description,
    isPurviewLabel: true,
    isConnectorActivity: true,
    operations
  }
}

function alias(
  category: ActivityCategory,
  activity: string,
  operation: string,
  confidence: Exclude<CatalogConfidence, 'unknown'>,
  evidence: string,
  description: string,
  isPurviewLabel = true
): CatalogActivity {
  return {
    activity,
    category,
    description,
    isPurviewLabel,
    isConnectorActivity: false,
    operations: [{ operation, confidence, evidence }]
  }
}

/** The fifteen connector activities of connector-activities.md, in its order, plus one without a label. */
export const CONNECTOR_ACTIVITIES: readonly CatalogActivity[] = [
  connector('API created', 'API', 'A custom API (custom connector) was created.'),
  connector('API edited', 'API', 'A custom API was updated.', [
    {
      operation: 'PatchApi',
      confidence: 'probable',
      evidence: 'community triage query on PowerPlatformAdminActivity'
    }
  ]),
  connector('API deleted', 'API', 'A custom API was deleted.'),
  connector(
    'API permission added or edited',
    'API',
    'A custom API was shared, or its sharing permissions changed.'
  ),
  connector('API permission removed', 'API', 'Sharing permissions on a custom API were removed.'),
  connector(
    'API made solution-aware',
    'API',
    'A custom API that was outside any solution was moved into one.'
  ),
  connector('Connection created or edited', 'Connection', 'A connection was created or updated.', [
    {
      operation: 'PutConnection',
      confidence: 'confirmed',
      evidence: 'Microsoft sample query and Sentinel rule'
    }
  ]),
  // Likely the same event as "Connection created or edited" (label drift); not mapped until seen.
  connector('Connection edited', 'Connection', 'A connection was updated.'),
  connector('Connection deleted', 'Connection', 'A connection was deleted.'),
  connector(
    'Connection permission added or edited',
    'Connection',
    'A connection was shared, or its sharing permissions changed.',
    [
      {
        operation: 'PutConnectionPermission',
        confidence: 'probable',
        evidence: 'CloudAppEvents hunting queries'
      }
    ]
  ),
  connector(
    'Connection permission removed',
    'Connection',
    'Sharing permissions on a connection were removed.'
  ),
  connector('Gateway cluster edited', 'Gateway', 'A gateway cluster was updated.'),
  connector(
    'Gateway permission added or edited',
    'Gateway',
    'A gateway was shared, or its sharing permissions changed.'
  ),
  connector(
    'Gateway permission removed',
    'Gateway',
    'Sharing permissions on a gateway were removed.'
  ),
  connector(
    'Added ConnectionDlpEvaluationResult',
    'Data policy',
    'A connection was turned off because it breaks a data (DLP) policy.'
  ),
  {
    activity: 'App connection usage changed',
    category: 'Connection',
    description: 'The connections an app uses were changed.',
    isPurviewLabel: false,
    isConnectorActivity: true,
    operations: [
      {
        operation: 'PutAppConnectionUsage',
        confidence: 'probable',
        evidence: 'community triage query on PowerPlatformAdminActivity'
      }
    ]
  }
]

const POWER_APPS: readonly (readonly [string, string, string])[] = [
  ['Created app', 'CreatePowerApp', 'An app was created.'],
  ['Launched app', 'LaunchPowerApp', 'An app was opened.'],
  ['Marked app as Featured', 'MarkPowerAppAsFeatured', 'An app was marked as featured.'],
  ['Restored app version', 'PromotePowerAppVersion', 'An earlier version of an app was restored.'],
  ['Edited app', 'UpdatePowerApp', 'An app was edited.'],
  ['Published app', 'PublishPowerApp', 'An app was published.'],
  ['Edited app permission', 'PowerAppPermissionEdited', 'Who can use an app was changed.'],
  ['Deleted app', 'DeletePowerApp', 'An app was deleted.'],
  ['Marked app as Hero', 'MarkPowerAppAsHero', 'An app was marked as the hero app.'],
  ['Deleted app permission', 'PowerAppPermissionDeleted', 'A permission on an app was removed.'],
  ['Removed app as Hero', 'RemoveHeroApp', 'An app stopped being the hero app.'],
  ['Removed app as Featured', 'RemoveFeaturedApp', 'An app stopped being featured.'],
  ['Patched app', 'PatchPowerApp', 'Properties of an app were changed.'],
  ['Deleted app version', 'DeletePowerAppVersion', 'A version of an app was deleted.'],
  ["Consented to the app's APIs", 'RecordScopesConsent', "A user consented to an app's APIs."],
  ['Imported new canvas app', 'ImportNewCanvasApp', 'A canvas app was imported as a new app.'],
  [
    'Imported existing canvas app',
    'ImportExistingCanvasApp',
    'A canvas app was imported over an existing app.'
  ],
  [
    'Published solution canvas app version',
    'PublishSolutionCanvasAppVersion',
    'A version of a canvas app in a solution was published.'
  ],
  ['Admin restored deleted app', 'AdminRestoreDeletePowerApp', 'An admin restored a deleted app.'],
  [
    'Admin set desired logical name',
    'AdminSetAppDesiredLogicalName',
    'An admin set the logical name of an app.'
  ],
  ['Admin modified app owner', 'AdminModifyAppOwner', 'An admin changed the owner of an app.'],
  [
    'Admin modified app permissions',
    'AdminModifyAppPermissions',
    'An admin changed who can use an app.'
  ],
  ['Admin deleted app', 'AdminDeleteApp', 'An admin deleted an app.'],
  ['Admin set quarantine state', 'AdminQuarantineApp', 'An admin quarantined or released an app.'],
  [
    'Admin set conditional access',
    'AdminSetAppConditionalAccess',
    'An admin set conditional access for an app.'
  ],
  [
    'Admin set bypass consent state',
    'AdminSetAppBypassConsent',
    'An admin set whether users skip the consent prompt for an app.'
  ],
  ['Admin set app as featured', 'AdminSetAppAsFeatured', 'An admin marked an app as featured.'],
  [
    'Admin allowed third party apps',
    'AdminSetAllowedThirdPartyApps',
    'An admin allowed or blocked third-party apps.'
  ]
]

const PP_ADMIN: readonly (readonly [string, string])[] = [
  ['Created environment group', 'NewEnvironmentGroup'],
  ['Deleted environment group', 'DeleteEnvironmentGroup'],
  ['Updated environment group', 'UpdateEnvironmentGroup'],
  ['Environment added to environment group', 'EnvironmentAddedToEnvironmentGroup'],
  ['Environment removed from environment group', 'EnvironmentRemovedFromEnvironmentGroup'],
  ['Created rule set', 'CreateRuleSetOperation'],
  ['Updated rule set', 'UpdateRuleSetOperation'],
  ['Deleted rule set', 'DeleteRuleSetOperation'],
  ['Created rule-based policy', 'CreateRuleBasedPolicyOperation'],
  ['Created rule-based policy assignment', 'CreateRuleBasedPolicyAssignmentOperation'],
  ['Updated rule-based policy', 'UpdateRuleBasedPolicyOperation'],
  ['Deleted rule-based policy', 'DeleteRuleBasedPolicyOperation'],
  ['Deleted rule-based policy assignment', 'DeleteRuleBasedPolicyAssignmentOperation'],
  ['Created billing policy', 'BillingPolicyCreate'],
  ['Deleted billing policy', 'BillingPolicyDelete'],
  ['Updated billing policy', 'BillingPolicyUpdate'],
  ['Consented to ISV contract', 'IsvContractConsent'],
  ['Licence auto-claim assigned', 'AssignLicenseAutoClaim'],
  ['Created licence auto-claim policy', 'AssignLicenseAutoClaimPolicyCreate'],
  ['Allocated currency to environment', 'CurrencyEnvironmentAllocate'],
  ['Converted trial to production', 'TrialConvertToProduction'],
  ['Trial enforced', 'TrialEnforce'],
  ['Trial provisioned', 'TrialProvision'],
  ['Checked trial sign-up eligibility', 'TrialSignUpEligibilityCheck'],
  ['Trial viral consent', 'TrialViralConsent'],
  ['Assigned licence to user', 'AssignLicenseToUser'],
  ['Environment disabled (inactivity)', 'EnvironmentDisabledByMiser'],
  ['Customer Lockbox request', 'LockboxRequestOperation']
]

const COPILOT: readonly (readonly [string, string, Exclude<CatalogConfidence, 'unknown'>])[] = [
  ['Created agent', 'BotCreate', 'confirmed'],
  ['Deleted agent', 'BotDelete', 'confirmed'],
  ['Agent deletion clean-up', 'BotDeleteCleanup', 'confirmed'],
  ['Renamed agent', 'BotUpdateOperation-BotNameUpdate', 'probable'],
  ['Changed agent authentication', 'BotUpdateOperation-BotAuthUpdate', 'probable'],
  ['Changed agent icon', 'BotUpdateOperation-BotIconUpdate', 'probable'],
  ['Published agent', 'BotUpdateOperation-BotPublish', 'probable'],
  ['Shared agent', 'BotUpdateOperation-BotShare', 'probable'],
  ['Changed agent Application Insights settings', 'BotAppInsightsUpdate', 'confirmed'],
  ['Created agent component', 'BotComponentCreate', 'confirmed'],
  ['Updated agent component', 'BotComponentUpdate', 'confirmed'],
  ['Deleted agent component', 'BotComponentDelete', 'confirmed'],
  ['Created agent component collection', 'BotComponentCollectionCreate', 'confirmed'],
  ['Updated agent component collection', 'BotComponentCollectionUpdate', 'confirmed'],
  ['Deleted agent component collection', 'BotComponentCollectionDelete', 'confirmed'],
  ['Created AI plugin operation', 'AIPluginOperationCreate', 'confirmed'],
  ['Updated AI plugin operation', 'AIPluginOperationUpdate', 'confirmed'],
  ['Deleted AI plugin operation', 'AIPluginOperationDelete', 'confirmed'],
  ['Created environment variable', 'EnvironmentVariableCreate', 'confirmed'],
  ['Updated environment variable', 'EnvironmentVariableUpdate', 'confirmed'],
  ['Deleted environment variable', 'EnvironmentVariableDelete', 'confirmed']
]

/**
 * Every Power Platform activity of reference/audit-events.md §7 that has a known Operation, as
 * aliases: Power Apps, Power Automate, Power Platform admin, data policy and Copilot Studio.
 */
export const POWER_PLATFORM_ACTIVITIES: readonly CatalogActivity[] = [
  ...POWER_APPS.map(([label, operation, description]) =>
    alias('Power Apps', label, operation, 'confirmed', LEARN_POWER_APPS, description)
  ),
  alias(
    'Data policy',
    'Added DataLossPreventionEvaluationResult',
    'AppDlpEvaluationResultChange',
    'confirmed',
    LEARN_POWER_APPS,
    'An app was evaluated against the data (DLP) policies and the result changed.'
  ),
  alias(
    'Data policy',
    'Data policy changed',
    'GovernanceApiPolicyOperation',
    'confirmed',
    LEARN_PP_ADMIN,
    'A data (DLP) policy was created, changed or deleted; the sub-operation says which.',
    false
  ),
  alias(
    'Power Automate',
    'Created flow',
    'CreateFlow',
    'confirmed',
    SENTINEL_FLOW,
    'A flow was created.'
  ),
  alias(
    'Power Automate',
    'Edited flow',
    'EditFlow',
    'confirmed',
    SENTINEL_FLOW,
    'A flow was edited.'
  ),
  alias(
    'Power Automate',
    'Deleted flow',
    'DeleteFlow',
    'confirmed',
    SENTINEL_FLOW,
    'A flow was deleted.'
  ),
  ...PP_ADMIN.map(([label, operation]) =>
    alias(
      'Power Platform admin',
      label,
      operation,
      'confirmed',
      LEARN_PP_ADMIN,
      `Power Platform admin activity (${operation}).`,
      false
    )
  ),
  alias(
    'Power Platform admin',
    'Tenant Lockbox operation',
    'TenantLockboxOperation',
    'probable',
    'community hunting queries',
    'A Customer Lockbox setting or request changed at tenant level.',
    false
  ),
  alias(
    'Power Platform admin',
    'Security role updated',
    'SecurityRoleUpdated',
    'probable',
    'third-party reports',
    'A Dataverse security role was changed.',
    false
  ),
  alias(
    'Power Platform admin',
    'API endpoint called',
    'ApiEndpointCallEvent',
    'probable',
    'third-party reports',
    'A Power Platform admin API endpoint was called.',
    false
  ),
  ...COPILOT.map(([label, operation, confidence]) =>
    alias(
      'Copilot Studio',
      label,
      operation,
      confidence,
      LEARN_COPILOT,
      `Copilot Studio authoring activity (${operation}).`,
      false
    )
  )
]

/** The whole built-in catalog: connector activities first, then the other Power Platform aliases. */
export const ACTIVITY_CATALOG: readonly CatalogActivity[] = [
  ...CONNECTOR_ACTIVITIES,
  ...POWER_PLATFORM_ACTIVITIES
]

/**
 * Friendly names of the data-policy sub-operations carried in
 * `powerplatform.analytics.resource.tenant.governance.api_policy.operation_name` (§7.3), using
 * the legacy Purview labels (§8.4). Sub-operations not listed are shown verbatim.
 */
export const DATA_POLICY_SUB_OPERATIONS: Readonly<Record<string, string>> = {
  CreateDlpPolicy: 'Created DLP policy',
  UpdateDlpPolicy: 'Updated DLP policy',
  DeleteDlpPolicy: 'Deleted DLP policy'
}

/** What the catalog says about one Operation. */
export interface ActivityMatch {
  /** The friendly name, or the Operation verbatim when it is not catalogued. */
  activity: string
  category: ActivityCategory
  confidence: CatalogConfidence
  /** The catalog entry, or null for an unknown operation. */
  entry: CatalogActivity | null
}

/** An Operation → activity lookup built from a catalog. */
export interface ActivityIndex {
  readonly exact: ReadonlyMap<string, { entry: CatalogActivity; op: CatalogOperation }>
  readonly folded: ReadonlyMap<string, { entry: CatalogActivity; op: CatalogOperation }>
}

/**
 * Builds the lookup for a catalog (the built-in one by default; pass a longer list to add
 * user-defined mappings). When two entries claim one Operation the first wins.
 */
export function buildActivityIndex(
  catalog: readonly CatalogActivity[] = ACTIVITY_CATALOG
): ActivityIndex {
  const exact = new Map<string, { entry: CatalogActivity; op: CatalogOperation }>()
  const folded = new Map<string, { entry: CatalogActivity; op: CatalogOperation }>()
  for (const entry of catalog) {
    for (const op of entry.operations) {
      if (!exact.has(op.operation)) {
        exact.set(op.operation, { entry, op })
      }
      const key = op.operation.toLowerCase()
      if (!folded.has(key)) {
        folded.set(key, { entry, op })
      }
    }
  }
  return { exact, folded }
}

/** The index of the built-in catalog. */
export const DEFAULT_ACTIVITY_INDEX: ActivityIndex = buildActivityIndex()

/**
 * Looks an Operation up in the catalog: exact match first, then case-insensitive (§13 rule 3).
 * An Operation that is not catalogued comes back verbatim, category `Other`, confidence `unknown`.
 */
export function lookupActivity(
  operation: string,
  index: ActivityIndex = DEFAULT_ACTIVITY_INDEX
): ActivityMatch {
  const hit = index.exact.get(operation) ?? index.folded.get(operation.toLowerCase())
  if (!hit) {
    return { activity: operation, category: 'Other', confidence: 'unknown', entry: null }
  }
  return {
    activity: hit.entry.activity,
    category: hit.entry.category,
    confidence: hit.op.confidence,
    entry: hit.entry
  }
}
