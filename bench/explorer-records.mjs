// The explorer benchmark's records: a deterministic generator of realistic, varied raw audit
// records (five real record shapes), shared by the browser benchmark (explorer.bench.mjs) and the
// query index benchmark (query-index.bench.mjs).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { ROOT } from './browser-shell.mjs'

/** Bumped when the generator changes (cached snapshots are named by it). */
export const GENERATOR_VERSION = 1
const TENANT = '11111111-2222-3333-4444-555555555555'

/** A deterministic generator of realistic, varied raw audit records (five real record shapes). */
export function* rawRecords(count) {
  const template = JSON.parse(
    readFileSync(
      join(ROOT, 'src/shared/audit/fixtures/powerplatform-record256-launchpowerapp.json'),
      'utf8'
    )
  )
  const CONNECTOR_OPS = [
    'PutConnection',
    'PutConnectionPermission',
    'DeleteConnection',
    'PatchApi',
    'PutApi',
    'DeleteApi',
    'PutAppConnectionUsage',
    'PutGatewayPermission'
  ]
  const FLOW_OPS = ['CreateFlow', 'EditFlow', 'DeleteFlow', 'PutPermissions']
  const ADMIN_OPS = ['LaunchPowerApp', 'UpdatePowerApp', 'PublishPowerApp', 'DeletePowerApp']
  const TEAMS_OPS = ['MessageSent', 'MemberAdded', 'TeamCreated', 'ChannelAdded']
  const CONNECTORS = Array.from(
    { length: 60 },
    (_, i) =>
      ['shared_sql', 'shared_office365', 'shared_sharepointonline', 'shared_http'][i % 4] +
      (i < 4 ? '' : `_${i}`)
  )
  const END = Date.UTC(2026, 10, 28)
  const SPAN = 90 * 86_400_000
  let state = 12345
  const rand = (n) => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
    return state % n
  }
  const hex = (n, width) => (n >>> 0).toString(16).padStart(width, '0').slice(-width)
  const guid = (a, b) =>
    `${hex(a, 8)}-${hex(b & 0xffff, 4)}-4${hex(b >>> 4, 3)}-8${hex(a * 31 + b, 3)}-${hex(a * 7919, 8)}${hex(b, 4)}`
  for (let i = 0; i < count; i++) {
    const user = rand(2000)
    const userId = `user${user}@contoso.example`
    const userKey = guid(user, 77)
    const env = guid(rand(40), 4242)
    const ip = `10.${rand(20)}.${rand(250)}.${rand(250)}`
    const created = new Date(END - Math.floor((rand(1_000_000) / 1_000_000) * SPAN))
    const creationTime = created.toISOString().slice(0, 19)
    const id = guid(i, rand(1 << 30))
    const resource = guid(rand(50_000), 99)
    const common = {
      CreationTime: creationTime,
      Id: id,
      OrganizationId: TENANT,
      UserKey: userKey,
      UserType: user % 50 === 0 ? 2 : 0,
      Version: 1,
      ResultStatus: rand(30) === 0 ? 'Failed' : 'Succeeded',
      UserId: userId,
      ClientIP: ip
    }
    const shape = rand(10)
    if (shape < 4) {
      const op = CONNECTOR_OPS[rand(CONNECTOR_OPS.length)]
      yield {
        ...common,
        RecordType: 261,
        Operation: op,
        Workload: 'PowerPlatform',
        ObjectId: resource,
        AdditionalInfo: JSON.stringify({
          EnvironmentName: env,
          ActionName: op,
          ResourceId: resource,
          ConnectorName: CONNECTORS[rand(CONNECTORS.length)],
          PermissionType: op.includes('Permission') ? ['CanView', 'CanEdit'][rand(2)] : undefined,
          UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) PowerApps/3.24'
        })
      }
    } else if (shape < 6) {
      const record = structuredClone(template)
      const op = ADMIN_OPS[rand(ADMIN_OPS.length)]
      Object.assign(record, common, { Operation: op, EnvironmentId: env })
      for (const property of record.PropertyCollection) {
        if (property.Name === 'powerplatform.analytics.activity.name') property.Value = op
        if (property.Name === 'powerplatform.analytics.activity.id') property.Value = id
        if (property.Name === 'powerplatform.analytics.resource.power_app.id')
          property.Value = resource
        if (property.Name === 'powerplatform.analytics.resource.power_app.display_name')
          property.Value = `App ${rand(3000)}`
        if (property.Name === 'powerplatform.analytics.resource.environment.id')
          property.Value = env
        if (property.Name === 'enduser.ip_address') property.Value = ip
        if (property.Name === 'enduser.principal_name') property.Value = userId
        if (property.Name === 'enduser.id') property.Value = userKey
        if (property.Name === 'powerplatform.analytics.correlation.id') property.Value = guid(i, 5)
        if (property.Name === 'powerplatform.analytics.resource.tenant.id') property.Value = TENANT
      }
      yield record
    } else if (shape < 8) {
      yield {
        ...common,
        RecordType: 30,
        Operation: FLOW_OPS[rand(FLOW_OPS.length)],
        Workload: 'MicrosoftFlow',
        ObjectId: `${env}/${resource}`,
        FlowConnectorNames: `${CONNECTORS[rand(60)]}, ${CONNECTORS[rand(60)]}`,
        FlowDetailsUrl: `https://make.powerautomate.com/environments/${env}/flows/${resource}/details`,
        LicenseDisplayName: ['Microsoft 365 E5', 'Power Automate per user'][rand(2)],
        RecipientUPN: rand(3) === 0 ? `user${rand(2000)}@contoso.example` : '',
        SharingPermission: rand(4) === 0 ? 'Owner' : '',
        UserTypeInitiated: 1,
        UserUPN: userId
      }
    } else {
      yield {
        ...common,
        RecordType: 25,
        Operation: TEAMS_OPS[rand(TEAMS_OPS.length)],
        Workload: 'MicrosoftTeams',
        ObjectId: `19:${hex(rand(1 << 30), 8)}@thread.tacv2`,
        TeamName: `Team ${rand(400)}`,
        ChannelName: ['General', 'Ops', 'Finance', 'Sales'][rand(4)],
        CommunicationType: ['Channel', 'OneOnOne', 'GroupChat'][rand(3)],
        Members: [
          { UPN: `user${rand(2000)}@contoso.example`, Role: 1, DisplayName: `User ${rand(2000)}` }
        ],
        ExtraProperties: [
          { Key: 'TimeZone', Value: 'Europe/Paris' },
          { Key: 'OsName', Value: 'Windows' }
        ]
      }
    }
  }
}
