/**
 * The connector activities the generator emits (reference/connector-activities.md). Operation
 * strings marked `synthesised` are NOT public: no raw record with them exists
 * (audit-events.md §6), so emulator records carrying them are labelled synthetic fixtures.
 */

/** How sure we are of an Operation string. */
export type OperationStatus = 'confirmed' | 'probable' | 'synthesised'

/** One connector activity. */
export interface ConnectorActivity {
  label: string
  category: 'API' | 'Connection' | 'Gateway' | 'Data policy'
  operation: string
  status: OperationStatus
  resourceType: 'CustomApi' | 'Connection' | 'Gateway'
  actionName: string
  isPermission: boolean
  weight: number
}

/** The fifteen activities of connector-activities.md, in its order. */
export const CONNECTOR_ACTIVITIES: readonly ConnectorActivity[] = [
  a(
    'API created',
    'API',
    'PutApi',
    'synthesised',
    'CustomApi',
    'Microsoft.PowerApps/apis/write',
    false,
    2
  ),
  a(
    'API edited',
    'API',
    'PatchApi',
    'probable',
    'CustomApi',
    'Microsoft.PowerApps/apis/write',
    false,
    4
  ),
  a(
    'API deleted',
    'API',
    'DeleteApi',
    'synthesised',
    'CustomApi',
    'Microsoft.PowerApps/apis/delete',
    false,
    1
  ),
  a(
    'API permission added or edited',
    'API',
    'PutApiPermission',
    'synthesised',
    'CustomApi',
    'Microsoft.PowerApps/apis/permissions/write',
    true,
    2
  ),
  a(
    'API permission removed',
    'API',
    'DeleteApiPermission',
    'synthesised',
    'CustomApi',
    'Microsoft.PowerApps/apis/permissions/delete',
    true,
    1
  ),
  a(
    'API made solution-aware',
    'API',
    'MigrateApiToSolution',
    'synthesised',
    'CustomApi',
    'Microsoft.PowerApps/apis/migrate/action',
    false,
    1
  ),
  a(
    'Connection created or edited',
    'Connection',
    'PutConnection',
    'confirmed',
    'Connection',
    'Microsoft.PowerApps/apis/connections/write',
    false,
    30
  ),
  a(
    'Connection edited',
    'Connection',
    'PatchConnection',
    'synthesised',
    'Connection',
    'Microsoft.PowerApps/apis/connections/write',
    false,
    6
  ),
  a(
    'Connection deleted',
    'Connection',
    'DeleteConnection',
    'synthesised',
    'Connection',
    'Microsoft.PowerApps/apis/connections/delete',
    false,
    5
  ),
  a(
    'Connection permission added or edited',
    'Connection',
    'PutConnectionPermission',
    'probable',
    'Connection',
    'Microsoft.PowerApps/apis/connections/permissions/write',
    true,
    10
  ),
  a(
    'Connection permission removed',
    'Connection',
    'DeleteConnectionPermission',
    'synthesised',
    'Connection',
    'Microsoft.PowerApps/apis/connections/permissions/delete',
    true,
    3
  ),
  a(
    'Gateway cluster edited',
    'Gateway',
    'PatchGatewayCluster',
    'synthesised',
    'Gateway',
    'Microsoft.PowerApps/gateways/write',
    false,
    1
  ),
  a(
    'Gateway permission added or edited',
    'Gateway',
    'PutGatewayPermission',
    'synthesised',
    'Gateway',
    'Microsoft.PowerApps/gateways/permissions/write',
    true,
    1
  ),
  a(
    'Gateway permission removed',
    'Gateway',
    'DeleteGatewayPermission',
    'synthesised',
    'Gateway',
    'Microsoft.PowerApps/gateways/permissions/delete',
    true,
    1
  ),
  a(
    'Added ConnectionDlpEvaluationResult',
    'Data policy',
    'ConnectionDlpEvaluationResultChange',
    'synthesised',
    'Connection',
    'Microsoft.PowerApps/apis/connections/dlpEvaluation/action',
    false,
    2
  )
]

function a(
  label: string,
  category: ConnectorActivity['category'],
  operation: string,
  status: OperationStatus,
  resourceType: ConnectorActivity['resourceType'],
  actionName: string,
  isPermission: boolean,
  weight: number
): ConnectorActivity {
  return { label, category, operation, status, resourceType, actionName, isPermission, weight }
}

/** A connector the tenant uses. */
export interface ConnectorDef {
  id: string
  displayName: string
  tier: 'Standard' | 'Premium' | 'Custom'
}

/** Standard, premium and custom connectors of the demo tenant. */
export const CONNECTORS: readonly ConnectorDef[] = [
  { id: 'shared_office365', displayName: 'Office 365 Outlook', tier: 'Standard' },
  { id: 'shared_sharepointonline', displayName: 'SharePoint', tier: 'Standard' },
  { id: 'shared_teams', displayName: 'Microsoft Teams', tier: 'Standard' },
  { id: 'shared_onedriveforbusiness', displayName: 'OneDrive for Business', tier: 'Standard' },
  { id: 'shared_excelonlinebusiness', displayName: 'Excel Online (Business)', tier: 'Standard' },
  { id: 'shared_approvals', displayName: 'Approvals', tier: 'Standard' },
  { id: 'shared_planner', displayName: 'Planner', tier: 'Standard' },
  { id: 'shared_sql', displayName: 'SQL Server', tier: 'Premium' },
  { id: 'shared_commondataserviceforapps', displayName: 'Microsoft Dataverse', tier: 'Premium' },
  { id: 'shared_salesforce', displayName: 'Salesforce', tier: 'Premium' },
  { id: 'shared_servicenow', displayName: 'ServiceNow', tier: 'Premium' },
  { id: 'shared_azureblob', displayName: 'Azure Blob Storage', tier: 'Premium' },
  { id: 'shared_webcontents', displayName: 'HTTP with Microsoft Entra ID', tier: 'Premium' },
  {
    id: 'shared_contoso-20invoice-20api-5f8a1c2e4b7d9e0f1a',
    displayName: 'Contoso Invoice API',
    tier: 'Custom'
  },
  {
    id: 'shared_contoso-20hr-20directory-5f2b3c4d5e6f7a8b9c',
    displayName: 'Contoso HR Directory',
    tier: 'Custom'
  },
  {
    id: 'shared_fabrikam-20shipping-5f9e8d7c6b5a4f3e2d',
    displayName: 'Fabrikam Shipping (custom)',
    tier: 'Custom'
  }
]

/** On-premises data gateways of the demo tenant. */
export const GATEWAYS: readonly string[] = [
  'HQ-Gateway-Cluster',
  'Datacenter-East-GW',
  'Warehouse-Finance-GW'
]

/** Power Apps of the demo tenant. */
export const APPS: readonly string[] = [
  'Expense Tracker',
  'Site Inspection',
  'Leave Requests',
  'Asset Checkout',
  'Visitor Sign-In',
  'Invoice Approvals',
  'Field Service Notes'
]

/** Flows of the demo tenant. */
export const FLOWS: readonly string[] = [
  'Notify manager on new expense',
  'Sync invoices to SQL',
  'Daily ServiceNow digest',
  'Archive Teams files',
  'Onboarding checklist'
]

/** Staff of the demo tenant (beyond the three sign-in users). */
export const STAFF: readonly string[] = [
  'Megan Bowen',
  'Adele Vance',
  'Alex Wilber',
  'Diego Siciliani',
  'Grady Archie',
  'Henrietta Mueller',
  'Isaiah Langer',
  'Johanna Lorenz',
  'Lee Gu',
  'Lidia Holloway',
  'Lynne Robbins',
  'Miriam Graham',
  'Nestor Wilke',
  'Patti Fernandez',
  'Pradeep Gupta',
  'Joni Sherman'
]
