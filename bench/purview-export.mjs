// A realistic Purview portal export for the import benchmark: current layout
// (reference/audit-events.md §12.1), AuditData of varied, real-shaped records.
//
// The shapes are the real records we hold (src/shared/audit/fixtures/, copies of
// /work/shared/samples/): the RecordType 256 LaunchPowerApp record is read and re-valued, the
// Microsoft Learn PropertyCollection examples (AdminDeleteApp, Lockbox, data-policy operations
// with an `additional_resources` JSON string) are wrapped in the common schema, the legacy DLP
// AdditionalInfo examples (with and without a change set) ride on RecordType 187/79 records.
// Around them, the rest of an Audit.General / portal export: legacy connector records with
// AdditionalInfo as JSON text, flows, Teams, Power BI, SharePoint and Entra sign-ins, each with
// the optional fields real records sometimes carry. Every value varies (Ids, users with
// non-ASCII names, IPs v4/v6/mapped, agents, environments, apps, times), so no two AuditData
// cells are alike and the V8 hidden-class and string caches get no help a real file would not
// give. Deterministic (seeded), so runs compare.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const fixtures = join(here, '../src/shared/audit/fixtures')
const readFixture = (name) => JSON.parse(readFileSync(join(fixtures, name), 'utf8'))

const LAUNCH = readFixture('powerplatform-record256-launchpowerapp.json')
const PC_EXAMPLES = readFixture('ms-learn-powerplatform-propertycollection-examples.json')
const DLP_EXAMPLES = readFixture('ms-learn-powerplatform-dlp-legacy-additionalinfo-examples.json')

/** The current Purview portal header. */
export const HEADER =
  'RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames\r\n'

function mulberry32(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const FIRST = [
  'Adele',
  'Alex',
  'Amber',
  'Björn',
  'Chloé',
  'Diego',
  'Émilie',
  'Grady',
  'Henrietta',
  'Isaiah',
  'Jürgen',
  'Kenji',
  'Lee',
  'Lidia',
  'Lynne',
  'Megan',
  'Miriam',
  'Nestor',
  'Noël',
  'Patti',
  'Pradeep',
  'Renée',
  'Søren',
  'Zoë',
  'Ægir',
  'Łukasz',
  'Ωmega',
  'Marta',
  'Yuki',
  'Fatima'
]
const LAST = [
  'Vance',
  'Wilber',
  'Ray',
  'Müller',
  'Gonçalves',
  'García',
  'Bowen',
  'Wilke',
  'Holden',
  'Fuller',
  'Núñez',
  'Sørensen',
  'Tanaka',
  'Kowalski',
  'O’Brien',
  'Dubois',
  'Ahmed',
  'Nakamura',
  'Rossi'
]
const DOMAINS = [
  'contoso.com',
  'contoso.onmicrosoft.com',
  'fabrikam.example',
  'CONTOSO.OnMicrosoft.com'
]
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/148.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36 Edg/128.0.0.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'PowerApps/3.25054.14 (iOS 18.4; iPhone15,3)',
  'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.18025; Pro)',
  'python-requests/2.32.3',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'
]
const APPS = [
  'Expense Approvals',
  'Site Inspection',
  'Help Desk',
  'Asset Checkout',
  'Onboarding Hub',
  'Leave Request',
  'Café Orders',
  'Inventaire des stocks',
  'Budget Tracker FY27',
  'TestEmptyApp'
]
const CONNECTORS = [
  'shared_sql',
  'shared_sharepointonline',
  'shared_office365',
  'shared_azureblob',
  'shared_twitter',
  'shared_dropbox',
  'shared_salesforce',
  'shared_servicebus',
  'shared_commondataserviceforapps',
  'shared_teams',
  'shared_onedriveforbusiness',
  'shared_bingmaps',
  'shared_azureautomation',
  'shared_contoso-5finvoice-5f8a1c',
  'shared_fabrikam-20erp-2027b3'
]
const CONNECTION_OPS = [
  ['PutConnection', 'CreateConnection'],
  ['PutConnection', 'UpdateConnection'],
  ['DeleteConnection', 'DeleteConnection'],
  ['PutConnectionPermission', 'ShareConnection'],
  ['DeleteConnectionPermission', 'UnshareConnection'],
  ['PutApi', 'CreateCustomApi'],
  ['PatchApi', 'UpdateCustomApi'],
  ['DeleteApi', 'DeleteCustomApi'],
  ['PutGatewayPermission', 'ShareGateway'],
  ['DisableConnectionByDlp', 'DisableConnection']
]
const TEAMS = [
  'Finance',
  'Sales EMEA',
  'Power Platform CoE',
  'IT Helpdesk',
  'Équipe Marketing',
  'R&D "Skunkworks"'
]
const SITES = ['finance', 'hr', 'marketing', 'projects/contoso-2027', 'it']

export function createGenerator(seed = 1) {
  const rnd = mulberry32(seed)
  const int = (n) => Math.floor(rnd() * n)
  const pick = (list) => list[int(list.length)]
  const chance = (p) => rnd() < p
  const hex = (n) => {
    let s = ''
    for (let i = 0; i < n; i++) {
      s += '0123456789abcdef'[int(16)]
    }
    return s
  }
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[int(4)]}${hex(3)}-${hex(12)}`
  const tenantId = uuid()
  const people = Array.from({ length: 3000 }, (_, i) => {
    const first = pick(FIRST)
    const last = pick(LAST)
    return {
      upn: `${first}.${last}${i}@${pick(DOMAINS)}`.replace(/[’\s]/g, ''),
      oid: uuid(),
      puid: `10032000${hex(8).toUpperCase()}`,
      display: `${first} ${last}`,
      isAdmin: i % 40 === 0
    }
  })
  const environments = [
    { id: `Default-${tenantId}`, name: 'Contoso (default)' },
    ...Array.from({ length: 30 }, (_, i) => ({
      id: uuid(),
      name: `${pick(['Finance', 'HR', 'Sales', 'Dev', 'Test', 'Fabrication'])} ${i} (${pick(['Production', 'Sandbox', 'Trial', 'Développement'])})`
    }))
  ]
  const ip = () => {
    const r = rnd()
    if (r < 0.6) {
      return `${1 + int(223)}.${int(256)}.${int(256)}.${int(256)}`
    }
    if (r < 0.8) {
      return `::ffff:${1 + int(223)}.${int(256)}.${int(256)}.${int(256)}`
    }
    return `2a01:111:f400:${hex(4)}::${hex(2)}`
  }

  function pp(base, person, env, activity, props, type) {
    return {
      PropertyCollection: [
        ...props,
        ['powerplatform.analytics.resource.environment.id', env.id],
        ['powerplatform.analytics.resource.environment.name', env.name],
        ['powerplatform.analytics.operation.is_successful', chance(0.97) ? 'True' : 'False'],
        ['powerplatform.analytics.correlation.id', uuid()],
        ['enduser.ip_address', base.ClientIP],
        ['user_agent.original', pick(AGENTS)],
        ['powerplatform.analytics.resource.type', type],
        ['version', '1.0'],
        ['type', 'PowerPlatformAdministratorActivityRecord'],
        ['powerplatform.analytics.activity.name', activity],
        ['powerplatform.analytics.activity.id', base.Id],
        ['enduser.id', person.oid],
        ['powerplatform.analytics.resource.tenant.id', tenantId],
        ['enduser.principal_name', person.upn],
        ['enduser.role', person.isAdmin ? 'Admin' : 'User']
      ].map(([Name, Value]) => ({ Name, Value })),
      EnvironmentId: env.id,
      UserId: person.upn,
      ClientIP: base.ClientIP,
      Id: base.Id,
      RecordType: 256,
      CreationTime: base.CreationTime,
      Operation: activity,
      OrganizationId: tenantId,
      UserType: person.isAdmin ? 2 : 0,
      UserKey: person.oid,
      Workload: 'PowerPlatform',
      ResultStatus: 'Succeeded',
      Version: 1,
      RequiresCustomerKeyEncryption: false
    }
  }

  const common = (base, person, type, op, workload, extra) => ({
    CreationTime: base.CreationTime,
    Id: base.Id,
    Operation: op,
    OrganizationId: tenantId,
    RecordType: type,
    ResultStatus: pick(['Succeeded', 'Succeeded', 'Succeeded', 'Success', 'PartiallySucceeded']),
    UserKey: person.puid,
    UserType: person.isAdmin ? 2 : 0,
    Version: 1,
    Workload: workload,
    ClientIP: base.ClientIP,
    ObjectId: extra.ObjectId ?? '',
    UserId: person.upn,
    ...extra
  })

  const shapes = [
    [
      20,
      'launch-256',
      (base, person, env) => {
        // The real LaunchPowerApp record, every value replaced.
        const app = pick(APPS)
        const record = structuredClone(LAUNCH)
        const values = {
          'powerplatform.analytics.resource.power_app.display_name': app,
          'powerplatform.analytics.resource.power_app.id': uuid(),
          'powerplatform.analytics.resource.environment.name': env.name,
          'powerplatform.analytics.correlation.id': uuid(),
          'enduser.ip_address': base.ClientIP,
          'user_agent.original': pick(AGENTS),
          'powerplatform.analytics.activity.id': base.Id,
          'powerplatform.analytics.resource.environment.id': env.id,
          'enduser.id': person.oid,
          'powerplatform.analytics.resource.tenant.id': tenantId,
          'enduser.principal_name': person.upn,
          'enduser.role': person.isAdmin ? 'Admin' : 'User'
        }
        for (const entry of record.PropertyCollection) {
          if (entry.Name in values) {
            entry.Value = values[entry.Name]
          }
        }
        Object.assign(record, {
          EnvironmentId: env.id,
          UserId: person.upn,
          ClientIP: base.ClientIP,
          Id: base.Id,
          CreationTime: base.CreationTime,
          OrganizationId: tenantId,
          UserType: person.isAdmin ? 2 : 0,
          UserKey: person.oid
        })
        return record
      }
    ],
    [
      14,
      'connector-256',
      (base, person, env) => {
        const [op, action] = pick(CONNECTION_OPS)
        const connector = pick(CONNECTORS)
        const props = [
          [
            'powerplatform.analytics.resource.connection.id',
            `/providers/Microsoft.PowerApps/apis/${connector}/connections/${hex(32)}`
          ],
          ['powerplatform.analytics.resource.connection.action_name', action],
          [
            'powerplatform.analytics.resource.display_name',
            `${connector.slice(7)} ${person.display}`
          ]
        ]
        if (op.includes('Permission')) {
          props.push([
            'powerplatform.analytics.resource.permission_type',
            pick(['CanView', 'CanEdit', 'CanViewWithShare'])
          ])
          props.push(['targetuser.id', pick(people).oid])
        }
        return pp(base, person, env, op, props, 'Connection')
      }
    ],
    [
      4,
      'admin-256',
      (base, person, env) => {
        // A Microsoft Learn PropertyCollection example, values varied, in the common schema.
        const example = pick(PC_EXAMPLES)
        const props = example.PropertyCollection.filter(
          (e) =>
            !['version', 'type', 'enduser.principal_name', 'enduser.id', 'enduser.role'].includes(
              e.Name
            ) &&
            !e.Name.endsWith('tenant.id') &&
            !e.Name.endsWith('environment.id') &&
            !e.Name.endsWith('activity.id')
        ).map((e) => {
          if (e.Value === '<<json>>') {
            return [
              e.Name,
              JSON.stringify({
                connectors: [pick(CONNECTORS), pick(CONNECTORS)],
                environments: [env.id],
                ruleCount: int(9)
              })
            ]
          }
          return [e.Name, /^[0-9a-f-]{36}$/.test(e.Value) ? uuid() : e.Value]
        })
        const name =
          example.PropertyCollection.find((e) => e.Name === 'powerplatform.analytics.activity.name')
            ?.Value ?? 'CreatePowerApp'
        return pp(base, person, env, name, props, 'Tenant')
      }
    ],
    [
      10,
      'connector-legacy',
      (base, person, env) => {
        const [op, action] = pick(CONNECTION_OPS)
        const resourceId = `/providers/Microsoft.PowerApps/apis/${pick(CONNECTORS)}/connections/${hex(32)}`
        const info = { EnvironmentName: env.id, ActionName: action, ResourceId: resourceId }
        if (chance(0.3)) {
          info.ConnectionParameters = {
            server: `sql-${hex(6)}.database.windows.net`,
            database: pick(['ledger', 'crm', 'hr'])
          }
        }
        const record = common(base, person, chance(0.3) ? 79 : 187, op, 'PowerApps', {
          ObjectId: person.oid,
          AdditionalInfo: JSON.stringify(info)
        })
        if (chance(0.5)) {
          record.ResourceId = resourceId
        }
        return record
      }
    ],
    [
      2,
      'dlp-legacy',
      (base, person, env) => {
        const example = structuredClone(pick(DLP_EXAMPLES).AdditionalInfo)
        example.policyId = uuid()
        example.environmentName = env.id
        return common(
          base,
          person,
          chance(0.5) ? 79 : 187,
          pick(['CreateDlpPolicy', 'UpdateDlpPolicy', 'DeleteDlpPolicy']),
          'PowerPlatform',
          {
            AdditionalInfo: JSON.stringify(example)
          }
        )
      }
    ],
    [
      8,
      'flow',
      (base, person, env) => {
        const flowId = uuid()
        return common(
          base,
          person,
          30,
          pick(['EditFlow', 'CreateFlow', 'DeleteFlow', 'PutPermissions']),
          'MicrosoftFlow',
          {
            ObjectId: flowId,
            FlowDetailsUrl: `https://make.powerautomate.com/environments/${env.id}/flows/${flowId}/details`,
            FlowConnectorNames: [pick(CONNECTORS), pick(CONNECTORS), pick(CONNECTORS)]
              .map((c) => c.slice(7))
              .join(', '),
            LicenseDisplayName: pick([
              'Microsoft 365 E3',
              'Power Automate Premium',
              'Microsoft 365 E5'
            ]),
            SharingPermission: chance(0.2) ? pick(['Owner', 'RunOnly']) : undefined,
            UserTypeInitiated: person.isAdmin ? 2 : 1,
            UserUPN: person.upn,
            RecipientUPN: chance(0.2) ? pick(people).upn : ''
          }
        )
      }
    ],
    [
      12,
      'teams',
      (base, person) =>
        common(
          base,
          person,
          25,
          pick([
            'MemberAdded',
            'TeamCreated',
            'ChannelAdded',
            'MessageSent',
            'MeetingParticipantDetail'
          ]),
          'MicrosoftTeams',
          {
            TeamName: pick(TEAMS),
            TeamGuid: `19:${hex(32)}@thread.tacv2`,
            ChannelName: pick(['General', 'Announcements', 'Q3 planning', 'Support tickets']),
            CommunicationType: pick(['Team', 'GroupChat', 'OneOnOne']),
            Members: Array.from({ length: 1 + int(3) }, () => {
              const m = pick(people)
              return { DisplayName: m.display, Role: int(3), UPN: m.upn }
            }),
            AADGroupId: uuid(),
            ItemName: chance(0.3) ? pick(TEAMS) : undefined
          }
        )
    ],
    [
      8,
      'powerbi',
      (base, person) =>
        common(
          base,
          person,
          20,
          pick(['ViewReport', 'ViewDashboard', 'ExportReport', 'ShareReport']),
          'PowerBI',
          {
            UserAgent: pick(AGENTS),
            Activity: 'ViewReport',
            ItemName: pick([
              'Connector usage',
              'Sales pipeline',
              'Expenses by month',
              'Dépenses T3'
            ]),
            WorkSpaceName: pick(['Finance', 'CoE Analytics', 'My workspace']),
            DatasetName: pick(['Usage', 'Sales', 'Audit']),
            ReportName: pick(['Connector usage', 'Pipeline']),
            CapacityId: uuid(),
            CapacityName: pick(['Premium Per User - Reserved', 'P1 West Europe']),
            WorkspaceId: uuid(),
            ObjectId: pick(['Connector usage', 'Pipeline']),
            DatasetId: uuid(),
            ReportId: uuid(),
            ArtifactId: uuid(),
            ArtifactName: pick(['Connector usage', 'Pipeline']),
            IsSuccess: true,
            ReportType: 'PowerBIReport',
            RequestId: uuid(),
            ActivityId: uuid(),
            DistributionMethod: pick(['Workspace', 'Shared', 'App'])
          }
        )
    ],
    [
      12,
      'sharepoint',
      (base, person) => {
        const site = pick(SITES)
        const file = `${pick(['Budget', 'Rapport', 'Minutes', 'Invoice', 'Roadmap'])} ${2020 + int(8)}-${1 + int(12)}.${pick(['xlsx', 'docx', 'pdf', 'pptx'])}`
        return common(
          base,
          person,
          6,
          pick(['FileAccessed', 'FileModified', 'FileUploaded', 'FileDownloaded']),
          chance(0.3) ? 'OneDrive' : 'SharePoint',
          {
            ObjectId: `https://contoso.sharepoint.com/sites/${site}/Shared Documents/${file}`,
            UserAgent: pick(AGENTS),
            CorrelationId: uuid(),
            EventSource: 'SharePoint',
            ItemType: 'File',
            ListId: uuid(),
            ListItemUniqueId: uuid(),
            Site: uuid(),
            WebId: uuid(),
            SourceFileExtension: file.split('.').pop(),
            SiteUrl: `https://contoso.sharepoint.com/sites/${site}/`,
            SourceFileName: file,
            SourceRelativeUrl: 'Shared Documents',
            ApplicationDisplayName: pick([
              'Microsoft Office',
              'OneDrive SyncEngine',
              'Microsoft Teams'
            ]),
            DeviceDisplayName: chance(0.5) ? `LAPTOP-${hex(6).toUpperCase()}` : undefined,
            IsManagedDevice: chance(0.7),
            Platform: pick(['WinDesktop', 'MacDesktop', 'iOS'])
          }
        )
      }
    ],
    [
      10,
      'entra-signin',
      (base, person) =>
        common(base, person, 15, 'UserLoggedIn', 'AzureActiveDirectory', {
          ObjectId: '00000003-0000-0ff1-ce00-000000000000',
          AzureActiveDirectoryEventType: 1,
          ExtendedProperties: [
            { Name: 'ResultStatusDetail', Value: pick(['Success', 'Redirect']) },
            { Name: 'UserAgent', Value: pick(AGENTS) },
            {
              Name: 'RequestType',
              Value: pick(['OAuth2:Authorize', 'Login:login', 'SAS:ProcessAuth'])
            }
          ],
          ModifiedProperties: [],
          Actor: [
            { ID: person.oid, Type: 0 },
            { ID: person.upn, Type: 5 }
          ],
          ActorContextId: tenantId,
          ActorIpAddress: base.ClientIP,
          InterSystemsId: uuid(),
          IntraSystemId: uuid(),
          SupportTicketId: '',
          Target: [{ ID: '00000003-0000-0ff1-ce00-000000000000', Type: 0 }],
          TargetContextId: tenantId,
          ApplicationId: uuid(),
          DeviceProperties: [
            { Name: 'OS', Value: pick(['Windows 11', 'MacOs', 'Ios']) },
            { Name: 'BrowserType', Value: pick(['Edge', 'Chrome', 'Safari']) },
            { Name: 'IsCompliantAndManaged', Value: String(chance(0.6)) }
          ],
          ErrorNumber: '0'
        })
    ]
  ]
  const total = shapes.reduce((n, [w]) => n + w, 0)

  let clock = Date.UTC(2026, 4, 1)
  /** The next record: its AuditData text and the columns the portal prints next to it. */
  function next() {
    clock += 20 + int(60)
    const person = pick(people)
    const env = pick(environments)
    const base = {
      Id: uuid(),
      CreationTime: new Date(clock - int(900_000)).toISOString().slice(0, 19),
      ClientIP: ip()
    }
    let r = rnd() * total
    let shape = shapes[0]
    for (const s of shapes) {
      r -= s[0]
      if (r < 0) {
        shape = s
        break
      }
    }
    const record = shape[2](base, person, env)
    return { id: base.Id, kind: shape[1], record, text: JSON.stringify(record), clock }
  }
  return { next }
}

function csvQuote(text) {
  return `"${text.replace(/"/g, '""')}"`
}

function portalDate(ms) {
  const d = new Date(ms)
  const h12 = d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h12}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')} ${d.getUTCHours() < 12 ? 'AM' : 'PM'}`
}

/** One CSV row of the portal export for a generated record. */
export function csvRow(item) {
  const r = item.record
  return `${item.id},${portalDate(item.clock)},${r.RecordType},${r.Operation},${r.UserId},${csvQuote(item.text)},,\r\n`
}
