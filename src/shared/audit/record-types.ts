/**
 * RecordType numbers and names of the Microsoft 365 unified audit log, as data.
 *
 * Source: Microsoft's `AuditLogRecordType` table (reference/audit-events.md §11), plus four
 * numbers seen only in an empirical 2022 list (80, 149, 150, 163). New record types appear over
 * time: a number missing here is kept and shown as its number, never rejected (§4, §13 rule 13).
 */

/** `[number, name]` pairs of every record type we know, in number order. */
export const RECORD_TYPES: readonly (readonly [number, string])[] = [
  [1, 'ExchangeAdmin'],
  [2, 'ExchangeItem'],
  [3, 'ExchangeItemGroup'],
  [4, 'SharePoint'],
  [6, 'SharePointFileOperation'],
  [7, 'OneDrive'],
  [8, 'AzureActiveDirectory'],
  [9, 'AzureActiveDirectoryAccountLogon'],
  [10, 'DataCenterSecurityCmdlet'],
  [11, 'ComplianceDLPSharePoint'],
  [13, 'ComplianceDLPExchange'],
  [14, 'SharePointSharingOperation'],
  [15, 'AzureActiveDirectoryStsLogon'],
  [16, 'SkypeForBusinessPSTNUsage'],
  [17, 'SkypeForBusinessUsersBlocked'],
  [18, 'SecurityComplianceCenterEOPCmdlet'],
  [19, 'ExchangeAggregatedOperation'],
  [20, 'PowerBIAudit'],
  [21, 'CRM'],
  [22, 'Viva Engage'],
  [23, 'SkypeForBusinessCmdlets'],
  [24, 'Discovery'],
  [25, 'MicrosoftTeams'],
  [28, 'ThreatIntelligence'],
  [29, 'MailSubmission'],
  [30, 'MicrosoftFlow'],
  [31, 'AeD'],
  [32, 'MicrosoftStream'],
  [33, 'ComplianceDLPSharePointClassification'],
  [34, 'ThreatFinder'],
  [35, 'Project'],
  [36, 'SharePointListOperation'],
  [37, 'SharePointCommentOperation'],
  [38, 'DataGovernance'],
  [39, 'Kaizala'],
  [40, 'SecurityComplianceAlerts'],
  [41, 'ThreatIntelligenceUrl'],
  [42, 'SecurityComplianceInsights'],
  [43, 'MIPLabel'],
  [44, 'VivaInsights'],
  [45, 'PowerAppsApp'],
  [46, 'PowerAppsPlan'],
  [47, 'ThreatIntelligenceAtpContent'],
  [48, 'LabelContentExplorer'],
  [49, 'TeamsHealthcare'],
  [50, 'ExchangeItemAggregated'],
  [51, 'HygieneEvent'],
  [52, 'DataInsightsRestApiAudit'],
  [53, 'InformationBarrierPolicyApplication'],
  [54, 'SharePointListItemOperation'],
  [55, 'SharePointContentTypeOperation'],
  [56, 'SharePointFieldOperation'],
  [57, 'MicrosoftTeamsAdmin'],
  [58, 'HRSignal'],
  [59, 'MicrosoftTeamsDevice'],
  [60, 'MicrosoftTeamsAnalytics'],
  [61, 'InformationWorkerProtection'],
  [62, 'Campaign'],
  [63, 'DLPEndpoint'],
  [64, 'AirInvestigation'],
  [65, 'Quarantine'],
  [66, 'MicrosoftForms'],
  [67, 'ApplicationAudit'],
  [68, 'ComplianceSupervisionExchange'],
  [69, 'CustomerKeyServiceEncryption'],
  [70, 'OfficeNative'],
  [71, 'MipAutoLabelSharePointItem'],
  [72, 'MipAutoLabelSharePointPolicyLocation'],
  [73, 'MicrosoftTeamsShifts'],
  [75, 'MipAutoLabelExchangeItem'],
  [76, 'CortanaBriefing'],
  [78, 'WDATPAlerts'],
  [79, 'PowerAppsResource'],
  [80, 'PowerPlatformAdminEnvironment'],
  [82, 'SensitivityLabelPolicyMatch'],
  [83, 'SensitivityLabelAction'],
  [84, 'SensitivityLabeledFileAction'],
  [85, 'AttackSim'],
  [86, 'AirManualInvestigation'],
  [87, 'SecurityComplianceRBAC'],
  [88, 'UserTraining'],
  [89, 'AirAdminActionInvestigation'],
  [90, 'MSTIC'],
  [91, 'PhysicalBadgingSignal'],
  [92, 'TeamsEasyApprovals'],
  [93, 'AipDiscover'],
  [94, 'AipSensitivityLabelAction'],
  [95, 'AipProtectionAction'],
  [96, 'AipFileDeleted'],
  [97, 'AipHeartBeat'],
  [98, 'MCASAlerts'],
  [99, 'OnPremisesFileShareScannerDlp'],
  [100, 'OnPremisesSharePointScannerDlp'],
  [101, 'ExchangeSearch'],
  [102, 'SharePointSearch'],
  [103, 'PrivacyInsights'],
  [105, 'MyAnalyticsSettings'],
  [106, 'SecurityComplianceUserChange'],
  [107, 'ComplianceDLPExchangeClassification'],
  [109, 'MipExactDataMatch'],
  [113, 'MS365DCustomDetection'],
  [147, 'CoreReportingSettings'],
  [148, 'ComplianceConnector'],
  [149, 'PowerPlatformLockboxResourceAccessRequest'],
  [150, 'PowerPlatformLockboxResourceCommand'],
  [154, 'OMEPortal'],
  [157, 'MipLabelAnalyticsAuditRecord'],
  [163, 'PowerPlatformServiceActivity'],
  [164, 'ScorePlatformGenericAuditRecord'],
  [174, 'DataShareOperation'],
  [181, 'EduDataLakeDownloadOperation'],
  [183, 'MicrosoftGraphDataConnectOperation'],
  [186, 'PowerPagesSite'],
  [187, 'PowerPlatformAdminDlp'],
  [188, 'PlannerPlan'],
  [189, 'PlannerCopyPlan'],
  [190, 'PlannerTask'],
  [191, 'PlannerRoster'],
  [192, 'PlannerPlanList'],
  [193, 'PlannerTaskList'],
  [194, 'PlannerTenantSettings'],
  [195, 'ProjectForThewebProject'],
  [196, 'ProjectForThewebTask'],
  [197, 'ProjectForThewebRoadmap'],
  [198, 'ProjectForThewebRoadmapItem'],
  [199, 'ProjectForThewebProjectSettings'],
  [200, 'ProjectForThewebRoadmapSettings'],
  [202, 'MicrosoftTodoAudit'],
  [206, 'MicrosoftTeamsSensitivityLabelAction'],
  [216, 'Viva Goals'],
  [217, 'MicrosoftGraphDataConnectConsent'],
  [218, 'AttackSimAdmin'],
  [230, 'TeamsUpdates'],
  [231, 'PlannerRosterSensitivityLabel'],
  [235, 'MicrosoftDefenderForIdentityAudit'],
  [237, 'DefenderExpertsforXDRAdmin'],
  [251, 'VfamCreatePolicy'],
  [252, 'VfamUpdatePolicy'],
  [253, 'VfamDeletePolicy'],
  [256, 'PowerPlatformAdministratorActivity'],
  [257, 'Windows365CustomerLockbox'],
  [261, 'CopilotInteraction'],
  [265, 'VivaLearning'],
  [266, 'VivaLearningAdmin'],
  [269, 'PeopleAdminSettings'],
  [275, 'OWAAuth'],
  [277, 'SharePointESignature'],
  [278, 'Dynamics365BusinessCentral'],
  [279, 'MeshWorlds'],
  [280, 'VivaPulseResponse'],
  [281, 'VivaPulseOrganizer'],
  [282, 'VivaPulseAdmin'],
  [283, 'VivaPulseReport'],
  [284, 'AIAppInteraction'],
  [285, 'ComplianceDLMExchange'],
  [286, 'ComplianceDLMSharePoint'],
  [287, 'ProjectForThewebAssignedToMeSettings'],
  [288, 'CloudPolicyService'],
  [291, 'SensitiveInfoDiscovered'],
  [292, 'InsiderRiskScopedUserInsights'],
  [293, 'MicrosoftTeamsRetentionLabelAction'],
  [294, 'AadRiskDetection'],
  [295, 'AuditSearch'],
  [296, 'AuditRetentionPolicy'],
  [297, 'AuditConfig'],
  [298, 'BackupPolicy'],
  [299, 'RestoreTask'],
  [300, 'RestoreItem'],
  [301, 'BackupItem'],
  [302, 'URBACAssignment'],
  [303, 'URBACRole'],
  [304, 'URBACEnableState'],
  [306, 'PurviewInsiderRiskCases'],
  [307, 'PurviewInsiderRiskAlerts'],
  [308, 'InsiderRiskScopedUsers'],
  [310, 'CreateCopilotPlugin'],
  [311, 'UpdateCopilotPlugin'],
  [312, 'DeleteCopilotPlugin'],
  [313, 'EnableCopilotPlugin'],
  [314, 'DisableCopilotPlugin'],
  [315, 'CreateCopilotWorkspace'],
  [316, 'UpdateCopilotWorkspace'],
  [317, 'DeleteCopilotWorkspace'],
  [318, 'EnableCopilotWorkspace'],
  [319, 'DisableCopilotWorkspace'],
  [320, 'CreateCopilotPromptBook'],
  [321, 'UpdateCopilotPromptBook'],
  [322, 'DeleteCopilotPromptBook'],
  [323, 'EnableCopilotPromptBook'],
  [324, 'DisableCopilotPromptBook'],
  [325, 'UpdateCopilotSettings'],
  [328, 'ConnectedAIAppInteraction'],
  [329, 'PrivaPrivacyConsentOperation'],
  [330, 'PrivaPrivacyAssessmentOperation'],
  [331, 'DataCatalogAccessRequests'],
  [332, 'ComplianceSettingsChange'],
  [333, 'DataSecurityInvestigation'],
  [334, 'TeamCopilotInteraction'],
  [335, 'IRMActivityAuditTrail'],
  [336, 'SharePointContentSecurityPolicy'],
  [337, 'CloudUpdateProfileConfig'],
  [338, 'CloudUpdateTenantConfig'],
  [339, 'CloudUpdateDeviceConfig'],
  [341, 'DeviceDiscoverySettingsExclusion'],
  [342, 'DeviceDiscoverySettingsAuthenticatedScans'],
  [344, 'DeviceDiscoverySettings'],
  [345, 'USXWorkspaceOnboarding'],
  [346, 'VivaGlintAdvancedConfiguration'],
  [347, 'VivaGlintPulseProgram'],
  [348, 'VivaGlintPulseProgramRespondentRate'],
  [349, 'VivaGlintQuestion'],
  [350, 'VivaGlintRole'],
  [351, 'VivaGlintRubicon'],
  [352, 'VivaGlintSupportAccess'],
  [353, 'VivaGlintSystem'],
  [354, 'VivaGlintUser'],
  [355, 'VivaGlintUserGroup'],
  [356, 'VivaGlintFeedbackProgram'],
  [357, 'FabricAudit'],
  [358, 'TrainableClassifier'],
  [359, 'WebContentFiltering'],
  [360, 'NoisyAlertPolicy'],
  [361, 'DataScanClassification'],
  [362, 'AIInteractionsExport'],
  [363, 'Microsoft365CopilotScheduledPrompt'],
  [364, 'PlacesDirectory'],
  [365, 'SentinelNotebookOnLake'],
  [366, 'SentinelJob'],
  [367, 'SentinelKQLOnLake'],
  [368, 'SentinelLakeOnboarding'],
  [369, 'SentinelLakeDataOnboarding'],
  [370, 'SentinelAITool'],
  [371, 'SentinelGraph'],
  [372, 'CrossTenantAccessPolicy'],
  [373, 'OutlookCopilotAutomation'],
  [374, 'VivaEngageNetworkAssociation'],
  [375, 'AppAdminActivity'],
  [376, 'AppSettingsAdminActivity'],
  [377, 'UniversalPrintPrintJob'],
  [378, 'VivaAmplifyOutlookSensitivityLabel'],
  [379, 'AIInteractionsSubscription'],
  [380, 'AIInteractionsChangeNotification'],
  [381, 'FilteringMailMetadataExtended'],
  [382, 'OfficeRestrictedModeAction'],
  [383, 'CopilotForSecurityTrigger'],
  [384, 'CopilotAgentManagement'],
  [385, 'P4AIAssessmentFabricScannerRecord'],
  [386, 'PlannerGoal'],
  [387, 'PlannerGoalList'],
  [401, 'PlannerChatMessage'],
  [402, 'PlannerChatMessageList'],
  [414, 'VivaEngageSegment'],
  [422, 'VivaEngageEvents'],
  [427, 'UniversalPrintManagement'],
  [430, 'PurviewPostureAgent'],
  [431, 'GranularBrowseTask'],
  [444, 'TeamsEvalDataHubDataAccess'],
  [445, 'TeamsEvalDataHubPermissionChange'],
  [454, 'DragonCopilotAdmin'],
  [462, 'MicrosoftTeamsUserConcern'],
  [463, 'VivaGlintAgenticCampaign']
]

/** The two record types whose numbers Microsoft's pages contradict (§3.2): 79 and 187. */
export const AMBIGUOUS_RECORD_TYPES: readonly number[] = [79, 187]

/** Name of a legacy connector record (PowerAppsResource), whichever number it carries. */
export const POWER_APPS_RESOURCE = 'PowerAppsResource'
/** Name of a legacy data-policy record (PowerPlatformAdminDlp), whichever number it carries. */
export const POWER_PLATFORM_ADMIN_DLP = 'PowerPlatformAdminDlp'
/** What we show for a 79/187 record whose content does not tell which of the two it is. */
export const UNRESOLVED_79_187 = 'PowerAppsResource or PowerPlatformAdminDlp (unresolved)'

const NAME_BY_NUMBER = new Map<number, string>(RECORD_TYPES.map(([n, name]) => [n, name]))
const NUMBER_BY_NAME = new Map<string, number>(RECORD_TYPES.map(([n, name]) => [foldName(name), n]))
// Viva Engage was called Yammer; Graph and older exports still use the old name.
NUMBER_BY_NAME.set(foldName('Yammer'), 22)

function foldName(name: string): string {
  return name.replace(/\s+/g, '').toLowerCase()
}

/**
 * The name of a record type number, or the number itself as text when it is not in the table.
 *
 * 79 and 187 return the names as Microsoft's table prints them; use {@link resolveRecordType}
 * for records, which decides between the two by content.
 */
export function recordTypeName(value: number): string {
  return NAME_BY_NUMBER.get(value) ?? String(value)
}

/**
 * The number of a record type name (case- and space-insensitive, so Graph's camelCase
 * `powerPlatformAdministratorActivity` and Search-UnifiedAuditLog's PascalCase both match),
 * or null when the name is not known.
 */
export function recordTypeNumber(name: string): number | null {
  return NUMBER_BY_NAME.get(foldName(name)) ?? null
}

/** What a record's content says about a 79/187 record (reference/audit-events.md §13 rule 4). */
export interface RecordTypeEvidence {
  /** The record's Operation. */
  operation: string
  /** True when AdditionalInfo holds `policyId` or `policyType` (a legacy data-policy record). */
  hasPolicyInfo: boolean
  /** True when the record carries a connector `ResourceId` or `ActionName`. */
  hasConnectorInfo: boolean
  /** True when the operation is in the connector part of the activity catalog. */
  isCatalogConnectorOperation: boolean
}

/** A record type as number and display name. */
export interface ResolvedRecordType {
  /** The number, or null when the record gave an unknown name instead of a number. */
  value: number | null
  /** The name to show: from the table, decided by content for 79/187, or the number as text. */
  name: string
}

/**
 * Resolves a record's `RecordType` (a number, a numeric string or a name) to number and name.
 *
 * 79 and 187 are never routed on the number alone (§3.2): data-policy content gives
 * PowerPlatformAdminDlp, connector content (ResourceId/ActionName, a catalogued connector
 * operation, or an operation naming an Api, Connection or Gateway) gives PowerAppsResource,
 * anything else stays unresolved. A number from the future is shown as its number.
 */
export function resolveRecordType(raw: unknown, evidence: RecordTypeEvidence): ResolvedRecordType {
  let value: number | null = null
  let givenName: string | null = null
  if (typeof raw === 'number' && Number.isInteger(raw)) {
    value = raw
  } else if (typeof raw === 'string' && /^\s*\d+\s*$/.test(raw)) {
    value = Number(raw.trim())
  } else if (typeof raw === 'string' && raw.trim() !== '') {
    givenName = raw.trim()
    value = recordTypeNumber(givenName)
  }
  if (givenName !== null) {
    const known = value === null ? null : recordTypeName(value)
    // A name is more trustworthy than the contested numbers: keep it as given, in table spelling.
    return {
      value,
      name: known !== null && foldName(known) === foldName(givenName) ? known : givenName
    }
  }
  if (value === null) {
    return { value: null, name: '' }
  }
  if (AMBIGUOUS_RECORD_TYPES.includes(value)) {
    return { value, name: resolveAmbiguous(evidence) }
  }
  return { value, name: recordTypeName(value) }
}

function resolveAmbiguous(evidence: RecordTypeEvidence): string {
  if (evidence.hasPolicyInfo) {
    return POWER_PLATFORM_ADMIN_DLP
  }
  if (
    evidence.hasConnectorInfo ||
    evidence.isCatalogConnectorOperation ||
    /Api|Connection|Gateway/.test(evidence.operation)
  ) {
    return POWER_APPS_RESOURCE
  }
  return UNRESOLVED_79_187
}
