import { describe, expect, it } from 'vitest'

import type { NormalizedRecord } from '../audit'

import { FINDING_RULES, GovernanceFold } from './findings'
import type { FindingResult } from './findings'
import { GovernanceSettingsError, parseGovernanceSettings } from './governance-settings'
import type { GovernanceSettingsInput } from './governance-settings'
import { TENANT, connectionId, crafted, customApiId, shuffled, signIn } from './test-records'

const CONN = connectionId('shared_sql', 1)
const GW = 'f0f0f0f0-0000-0000-0000-00000000beef'
const API = customApiId('invoice')
const ALICE = 'alice@contoso.example'
const BOB_OID = 'b0b00000-0000-0000-0000-000000000000'

/** Runs every rule with baselines off unless the test sets them, and returns one rule's result. */
function run(
  ruleId: string,
  records: NormalizedRecord[],
  settings: GovernanceSettingsInput = {}
): FindingResult {
  const fold = new GovernanceFold()
  for (const r of records) {
    fold.add(r)
  }
  const result = fold
    .findings(parseGovernanceSettings({ baselineDays: 0, ...settings }))
    .find((f) => f.ruleId === ruleId)
  if (!result) {
    throw new Error(`no result for ${ruleId}`)
  }
  return result
}

/** A weekday inside working hours (Tuesday 2026-05-19, 10:00 UTC) plus `minutes`. */
function tuesday(minutes = 0): string {
  return new Date(Date.parse('2026-05-19T10:00:00Z') + minutes * 60_000).toISOString().slice(0, 19)
}

describe('the rule table', () => {
  it('has unique ids and describes every rule with its thresholds', () => {
    const ids = FINDING_RULES.map((r) => r.id)
    expect(new Set(ids).size).toBe(ids.length)
    const settings = parseGovernanceSettings({ burst: { minEvents: 7, windowMinutes: 3 } })
    const burst = FINDING_RULES.find((r) => r.id === 'deletion-burst')
    expect(burst?.describe(settings)).toBe(
      'At least 7 deletions of connections, custom APIs or gateways by one actor within 3 min.'
    )
  })

  it('leaves out disabled rules', () => {
    const fold = new GovernanceFold()
    const ids = fold.findings(parseGovernanceSettings({ disabledRules: ['deletion-burst'] }))
    expect(ids.map((f) => f.ruleId)).not.toContain('deletion-burst')
    expect(ids).toHaveLength(FINDING_RULES.length - 1)
  })
})

describe('settings', () => {
  it('fills defaults and refuses bad values naming the field', () => {
    const s = parseGovernanceSettings({})
    expect(s.workingHours).toEqual({
      timeZone: 'UTC',
      days: [1, 2, 3, 4, 5],
      start: '08:00',
      end: '18:00'
    })
    expect(() => parseGovernanceSettings({ workingHours: { start: '8am' } })).toThrow(
      /workingHours\.start: must be HH:MM/
    )
    expect(() => parseGovernanceSettings({ workingHours: { timeZone: 'Mars/Olympus' } })).toThrow(
      /workingHours\.timeZone: unknown time zone/
    )
    expect(() => parseGovernanceSettings({ burst: { minEvents: 1 } })).toThrow(
      GovernanceSettingsError
    )
    expect(() => parseGovernanceSettings({ shortLivedHours: 3 })).toThrow(/Unrecognized key/)
  })
})

describe('shared-with-organisation', () => {
  it('finds a connection shared with the tenant or with "Everyone", with the granting record', () => {
    const result = run('shared-with-organisation', [
      crafted({
        id: 'r1',
        at: tuesday(),
        operation: 'PutConnectionPermission',
        resource: CONN,
        actor: ALICE,
        permission: 'CanView',
        target: TENANT
      }),
      crafted({
        id: 'r2',
        at: tuesday(1),
        operation: 'PutGatewayPermission',
        resource: GW,
        actor: ALICE,
        permission: 'User',
        target: 'Everyone'
      })
    ])
    expect(result.count).toBe(2)
    expect(result.items.map((i) => i.recordIds)).toEqual([['r1'], ['r2']])
    expect(result.items[0]?.reason).toMatch(
      /^connection \/providers\/.*conn1 in environment .* is shared with the whole organisation: 11111111-.* holds CanView \(.* is the tenant itself\), granted by alice@contoso.example on 2026-05-19T10:00:00Z\.$/
    )
  })

  it('ignores a share with a person, a removed share, a deleted connection and custom APIs', () => {
    const result = run('shared-with-organisation', [
      crafted({
        id: 'n1',
        at: tuesday(),
        operation: 'PutConnectionPermission',
        resource: CONN,
        permission: 'CanView',
        target: BOB_OID
      }),
      crafted({
        id: 'n2',
        at: tuesday(),
        operation: 'PutGatewayPermission',
        resource: GW,
        permission: 'User',
        target: TENANT
      }),
      crafted({
        id: 'n3',
        at: tuesday(5),
        operation: 'DeleteGatewayPermission',
        resource: GW,
        target: TENANT
      }),
      crafted({
        id: 'n4',
        at: tuesday(),
        operation: 'PutConnectionPermission',
        resource: connectionId('shared_sql', 2),
        permission: 'CanView',
        target: TENANT
      }),
      crafted({
        id: 'n5',
        at: tuesday(9),
        operation: 'DeleteConnection',
        resource: connectionId('shared_sql', 2)
      }),
      crafted({
        id: 'n6',
        at: tuesday(),
        operation: 'PutApiPermission',
        resource: API,
        permission: 'CanView',
        target: TENANT
      })
    ])
    expect(result.count).toBe(0)
  })
})

describe('shared-with-guests', () => {
  const guestOid = '9e570000-0000-0000-0000-000000000000'

  it('finds a share with an #EXT# account, a UserType 10 actor, or a foreign domain', () => {
    const result = run(
      'shared-with-guests',
      [
        signIn('s1', tuesday(-60), 'vendor_fabrikam.example#EXT#@contoso.example', guestOid),
        signIn('s2', tuesday(-60), 'visitor@contoso.example', 'v-oid', '10.0.0.1', 10),
        crafted({
          id: 'g1',
          at: tuesday(),
          operation: 'PutConnectionPermission',
          resource: CONN,
          permission: 'CanView',
          target: guestOid
        }),
        crafted({
          id: 'g2',
          at: tuesday(1),
          operation: 'PutConnectionPermission',
          resource: CONN,
          permission: 'CanView',
          target: 'v-oid'
        }),
        crafted({
          id: 'g3',
          at: tuesday(2),
          operation: 'PutGatewayPermission',
          resource: GW,
          permission: 'User',
          target: 'someone@partner.example'
        })
      ],
      { tenantDomains: ['contoso.example'] }
    )
    expect(result.items.map((i) => i.recordIds[0])).toEqual(['g1', 'g2', 'g3'])
    expect(result.items[2]?.reason).toMatch(/outside the organisation's domains/)
  })

  it('does not flag members, nor foreign domains when no tenant domain is configured', () => {
    const result = run('shared-with-guests', [
      signIn('s1', tuesday(-60), 'bob@contoso.example', BOB_OID),
      crafted({
        id: 'm1',
        at: tuesday(),
        operation: 'PutConnectionPermission',
        resource: CONN,
        permission: 'CanView',
        target: BOB_OID
      }),
      crafted({
        id: 'm2',
        at: tuesday(),
        operation: 'PutGatewayPermission',
        resource: GW,
        permission: 'User',
        target: 'someone@partner.example'
      })
    ])
    expect(result.count).toBe(0)
  })
})

describe('short-lived-custom-api', () => {
  it('finds a custom API deleted within the window, with both records', () => {
    const result = run('short-lived-custom-api', [
      crafted({ id: 'a1', at: tuesday(), operation: 'PutApi', resource: API, actor: ALICE }),
      crafted({ id: 'a2', at: tuesday(60), operation: 'PatchApi', resource: API }),
      crafted({
        id: 'a3',
        at: tuesday(23 * 60),
        operation: 'DeleteApi',
        resource: API,
        actor: ALICE
      })
    ])
    expect(result.count).toBe(1)
    expect(result.items[0]?.recordIds).toEqual(['a1', 'a3'])
    expect(result.items[0]?.reason).toMatch(
      /deleted by alice@contoso.example 23 h 0 min later, within 24 h/
    )
  })

  it('ignores an API that lived longer, one never deleted, and connections', () => {
    const result = run('short-lived-custom-api', [
      crafted({ id: 'b1', at: tuesday(), operation: 'PutApi', resource: API }),
      crafted({ id: 'b2', at: tuesday(25 * 60), operation: 'DeleteApi', resource: API }),
      crafted({ id: 'b3', at: tuesday(), operation: 'PutApi', resource: customApiId('other') }),
      crafted({ id: 'b4', at: tuesday(), operation: 'PutConnection', resource: CONN }),
      crafted({ id: 'b5', at: tuesday(5), operation: 'DeleteConnection', resource: CONN })
    ])
    expect(result.count).toBe(0)
    expect(
      run(
        'short-lived-custom-api',
        [
          crafted({ id: 'b1', at: tuesday(), operation: 'PutApi', resource: API }),
          crafted({ id: 'b2', at: tuesday(25 * 60), operation: 'DeleteApi', resource: API })
        ],
        { shortLivedApiHours: 26 }
      ).count
    ).toBe(1)
  })
})

describe('deletion-burst and permission-burst', () => {
  const deletions = (
    actor: string,
    spacingMinutes: number,
    n: number,
    prefix = 'd'
  ): NormalizedRecord[] =>
    Array.from({ length: n }, (_, i) =>
      crafted({
        id: `${prefix}${i}`,
        at: tuesday(i * spacingMinutes),
        operation: 'DeleteConnection',
        resource: connectionId('shared_sql', i + 10),
        actor
      })
    )

  it('finds one burst of deletions per actor and lists every record of it', () => {
    const result = run(
      'deletion-burst',
      shuffled([...deletions(ALICE, 2, 6), ...deletions('bob@contoso.example', 30, 6, 'x')], 7)
    )
    expect(result.count).toBe(1)
    expect(result.items[0]?.actor).toBe(ALICE)
    expect(result.items[0]?.recordIds).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5'])
    expect(result.items[0]?.reason).toMatch(
      /made 6 deletions between .* \(10 min\) on 6 resource\(s\); the threshold is 5 within 10 min\./
    )
  })

  it('does not flag fewer deletions than the threshold, nor spread-out ones', () => {
    expect(run('deletion-burst', deletions(ALICE, 2, 4)).count).toBe(0)
    expect(
      run('deletion-burst', deletions(ALICE, 3, 6), { burst: { windowMinutes: 5, minEvents: 3 } })
        .count
    ).toBe(0)
  })

  it('finds a burst of permission changes, grants and removals together', () => {
    const grants = Array.from({ length: 5 }, (_, i) =>
      crafted({
        id: `p${i}`,
        at: tuesday(i),
        operation: i % 2 === 0 ? 'PutConnectionPermission' : 'DeleteConnectionPermission',
        resource: CONN,
        actor: ALICE,
        permission: 'CanView',
        target: `user-${i}`
      })
    )
    expect(run('permission-burst', grants).items[0]?.recordIds).toEqual([
      'p0',
      'p1',
      'p2',
      'p3',
      'p4'
    ])
    expect(run('deletion-burst', grants).count).toBe(0)
  })
})

describe('first-time-actor', () => {
  it('finds the first connector change of an actor after the baseline', () => {
    const result = run(
      'first-time-actor',
      [
        crafted({
          id: 'f0',
          at: '2026-05-01T10:00:00',
          operation: 'PutConnection',
          resource: CONN,
          actor: ALICE
        }),
        signIn('s1', '2026-05-03T10:00:00', 'newbie@contoso.example', 'n-oid'),
        crafted({
          id: 'f1',
          at: '2026-05-19T10:00:00',
          operation: 'PutConnection',
          resource: CONN,
          actor: 'newbie@contoso.example'
        }),
        crafted({
          id: 'f2',
          at: '2026-05-19T11:00:00',
          operation: 'PatchConnection',
          resource: CONN,
          actor: 'newbie@contoso.example'
        })
      ],
      { baselineDays: 7 }
    )
    expect(result.count).toBe(1)
    expect(result.items[0]?.recordIds).toEqual(['s1', 'f1'])
    expect(result.items[0]?.reason).toMatch(
      /^newbie@contoso.example made a first connector change: created or edited on connection .* on 2026-05-19T10:00:00Z; first seen in other activity on 2026-05-03T10:00:00Z \(record s1\) \(the cache starts 2026-05-01T10:00:00Z; the first 7 day\(s\) are the baseline\)\.$/
    )
  })

  it('does not flag actors whose first change falls in the baseline, nor a repeat actor', () => {
    const result = run(
      'first-time-actor',
      [
        crafted({
          id: 'f0',
          at: '2026-05-01T10:00:00',
          operation: 'PutConnection',
          resource: CONN,
          actor: ALICE
        }),
        crafted({
          id: 'f1',
          at: '2026-05-19T10:00:00',
          operation: 'PatchConnection',
          resource: CONN,
          actor: ALICE
        })
      ],
      { baselineDays: 7 }
    )
    expect(result.count).toBe(0)
  })
})

describe('new-ip-for-actor', () => {
  it('finds a connector change from an address the actor never used before', () => {
    const result = run(
      'new-ip-for-actor',
      [
        signIn('s1', '2026-05-01T10:00:00', ALICE, 'a-oid', '10.0.0.1'),
        crafted({
          id: 'i1',
          at: '2026-05-19T10:00:00',
          operation: 'PutConnection',
          resource: CONN,
          actor: ALICE,
          ip: '10.0.0.1'
        }),
        crafted({
          id: 'i2',
          at: '2026-05-19T11:00:00',
          operation: 'PatchConnection',
          resource: CONN,
          actor: ALICE,
          ip: '203.0.113.9'
        }),
        crafted({
          id: 'i3',
          at: '2026-05-19T12:00:00',
          operation: 'PatchConnection',
          resource: CONN,
          actor: ALICE,
          ip: '203.0.113.9'
        })
      ],
      { baselineDays: 7 }
    )
    expect(result.items.map((i) => i.recordIds)).toEqual([['i2']])
    expect(result.items[0]?.reason).toMatch(
      /from 203\.0\.113\.9, an address never seen for them before \(other addresses: 10\.0\.0\.1\)/
    )
  })

  it('does not flag a new address seen first in other activity, nor during the baseline', () => {
    const result = run(
      'new-ip-for-actor',
      [
        signIn('s0', '2026-05-01T10:00:00', ALICE, 'a-oid', '10.0.0.1'),
        signIn('s1', '2026-05-18T10:00:00', ALICE, 'a-oid', '203.0.113.9'),
        crafted({
          id: 'i1',
          at: '2026-05-19T10:00:00',
          operation: 'PatchConnection',
          resource: CONN,
          actor: ALICE,
          ip: '203.0.113.9'
        }),
        crafted({
          id: 'i2',
          at: '2026-05-02T10:00:00',
          operation: 'PatchConnection',
          resource: CONN,
          actor: ALICE,
          ip: '198.51.100.1'
        })
      ],
      { baselineDays: 7 }
    )
    expect(result.count).toBe(0)
  })
})

describe('dlp-turned-off', () => {
  const policy = (name: string): Record<string, string> => ({
    'powerplatform.analytics.resource.tenant.governance.api_policy.display_name': name
  })

  it('groups connections turned off by policy and environment', () => {
    const result = run('dlp-turned-off', [
      crafted({
        id: 'o1',
        at: tuesday(),
        operation: 'ConnectionDlpEvaluationResultChange',
        resource: connectionId('shared_twitter', 1),
        properties: policy('Block social'),
        environment: 'env-a',
        environmentName: 'Sales'
      }),
      crafted({
        id: 'o2',
        at: tuesday(5),
        operation: 'ConnectionDlpEvaluationResultChange',
        resource: connectionId('shared_twitter', 2),
        properties: policy('Block social'),
        environment: 'env-a',
        environmentName: 'Sales'
      }),
      crafted({
        id: 'o3',
        at: tuesday(6),
        operation: 'ConnectionDlpEvaluationResultChange',
        resource: connectionId('shared_twitter', 3),
        properties: policy('Block social'),
        environment: 'env-b'
      }),
      crafted({
        id: 'o4',
        at: tuesday(7),
        operation: 'ConnectionDlpEvaluationResultChange',
        resource: connectionId('shared_ftp', 3),
        environment: 'env-b'
      }),
      crafted({
        id: 'o5',
        at: tuesday(60),
        operation: 'DeleteConnection',
        resource: connectionId('shared_twitter', 2)
      })
    ])
    expect(result.items.map((i) => i.recordIds)).toEqual([['o1', 'o2'], ['o3'], ['o4']])
    expect(result.items[0]?.reason).toBe(
      'The data policy Block social turned off 2 connection(s) in environment Sales (env-a) between 2026-05-19T10:00:00Z and 2026-05-19T10:05:00Z; 1 still off (no later create event).'
    )
    expect(result.items[2]?.reason).toMatch(
      /^A data policy \(not named in the records\) turned off 1 connection/
    )
  })

  it('raises nothing without data-policy evaluations', () => {
    expect(
      run('dlp-turned-off', [
        crafted({ id: 'z', at: tuesday(), operation: 'PutConnection', resource: CONN })
      ]).count
    ).toBe(0)
  })
})

describe('outside-working-hours', () => {
  it('finds changes on a weekend or at night in the configured zone, one finding per actor and day', () => {
    const result = run(
      'outside-working-hours',
      [
        crafted({
          id: 'w1',
          at: '2026-05-23T10:00:00',
          operation: 'PatchConnection',
          resource: CONN,
          actor: ALICE
        }),
        crafted({
          id: 'w1b',
          at: '2026-05-23T11:30:00',
          operation: 'DeleteConnection',
          resource: CONN,
          actor: ALICE
        }),
        crafted({
          id: 'w2',
          at: '2026-05-19T16:30:00',
          operation: 'PatchConnection',
          resource: CONN,
          actor: ALICE
        }),
        crafted({
          id: 'w3',
          at: '2026-05-19T07:30:00',
          operation: 'PatchConnection',
          resource: CONN,
          actor: ALICE
        }),
        crafted({
          id: 'w4',
          at: '2026-05-23T10:05:00',
          operation: 'PatchConnection',
          resource: CONN,
          actor: 'bob@contoso.example'
        })
      ],
      { workingHours: { timeZone: 'Europe/Paris', start: '09:00', end: '18:00' } }
    )
    // 16:30Z is 18:30 in Paris (summer time); 07:30Z is 09:30 in Paris.
    expect(result.items.map((i) => i.recordIds)).toEqual([['w2'], ['w1', 'w1b'], ['w4']])
    expect(result.items[1]?.reason).toBe(
      `alice@contoso.example made 2 connector change(s) on Sat 2026-05-23 (UTC+01:00/+02:00 Europe/Paris) outside working hours (Mon, Tue, Wed, Thu, Fri 09:00–18:00 UTC+01:00/+02:00 Europe/Paris): 12:00 edited on connection ${CONN}; 13:30 deleted on connection ${CONN}.`
    )
  })

  it('ignores changes inside working hours and data-policy evaluations at night', () => {
    const result = run('outside-working-hours', [
      crafted({ id: 'h1', at: tuesday(), operation: 'PatchConnection', resource: CONN }),
      crafted({
        id: 'h2',
        at: '2026-05-19T03:00:00',
        operation: 'ConnectionDlpEvaluationResultChange',
        resource: CONN
      })
    ])
    expect(result.count).toBe(0)
  })
})

describe('order independence', () => {
  it('raises the same findings whatever order the records arrive in', () => {
    const records = [
      signIn('s1', '2026-05-01T10:00:00', ALICE, 'a-oid', '10.0.0.1'),
      ...Array.from({ length: 6 }, (_, i) =>
        crafted({
          id: `d${i}`,
          at: `2026-05-23T10:0${i}:00`,
          operation: 'DeleteConnection',
          resource: connectionId('shared_sql', i),
          actor: ALICE,
          ip: i === 3 ? '203.0.113.1' : '10.0.0.1'
        })
      ),
      crafted({ id: 'a1', at: tuesday(), operation: 'PutApi', resource: API }),
      crafted({ id: 'a2', at: tuesday(30), operation: 'DeleteApi', resource: API }),
      crafted({
        id: 'p1',
        at: tuesday(),
        operation: 'PutConnectionPermission',
        resource: connectionId('shared_sql', 99),
        permission: 'CanView',
        target: TENANT
      })
    ]
    const findings = (rs: NormalizedRecord[]): FindingResult[] => {
      const fold = new GovernanceFold()
      rs.forEach((r) => fold.add(r))
      return fold.findings()
    }
    const expected = findings(records)
    expect(expected.filter((f) => f.count > 0).map((f) => f.ruleId)).toEqual([
      'shared-with-organisation',
      'short-lived-custom-api',
      'deletion-burst',
      'first-time-actor',
      'new-ip-for-actor',
      'outside-working-hours'
    ])
    for (const seed of [11, 12, 13]) {
      expect(findings(shuffled(records, seed))).toEqual(expected)
    }
  })
})
