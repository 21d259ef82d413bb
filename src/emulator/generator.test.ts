import { describe, expect, it } from 'vitest'

import { CONNECTOR_ACTIVITIES } from './activity-catalogue'
import { generateHour, hourCount, hourOf, createWorld } from './generator'
import type { AuditRecord, GeneratorConfig } from './generator'
import { SCENARIOS, parseScenarioFile } from './scenarios'
import { createTenantModel } from './tenant'

const NOW = Date.parse('2026-11-20T12:00:00Z')
const HOUR = 3_600_000

function setup(
  name: keyof typeof SCENARIOS,
  seed = 1
): { cfg: GeneratorConfig; world: ReturnType<typeof createWorld> } {
  const tenant = createTenantModel(seed)
  return { cfg: { ...SCENARIOS[name].generator, seed }, world: createWorld(seed, tenant) }
}

function week(name: keyof typeof SCENARIOS, seed = 1): AuditRecord[] {
  const { cfg, world } = setup(name, seed)
  const out: AuditRecord[] = []
  for (let h = hourOf(NOW) - 168; h < hourOf(NOW); h++) {
    out.push(...generateHour(cfg, world, 'Audit.General', h))
  }
  return out
}

function props(r: AuditRecord): Map<string, string> {
  const pc = (r.PropertyCollection ?? []) as Array<{ Name: string; Value: string }>
  return new Map(pc.map((p) => [p.Name, p.Value]))
}

describe('activity generator', () => {
  it('is deterministic per (seed, hour) and independent of generation order', () => {
    const { cfg, world } = setup('demo')
    const h = hourOf(NOW) - 30
    const a = generateHour(cfg, world, 'Audit.General', h)
    generateHour(cfg, world, 'Audit.General', h + 5)
    expect(generateHour(cfg, world, 'Audit.General', h)).toEqual(a)
    const other = setup('demo', 2)
    expect(generateHour(other.cfg, other.world, 'Audit.General', h).map((r) => r.Id)).not.toEqual(
      a.map((r) => r.Id)
    )
    expect(
      a.every(
        (r) =>
          Date.parse(`${r.CreationTime}Z`) >= h * HOUR &&
          Date.parse(`${r.CreationTime}Z`) < (h + 1) * HOUR
      )
    ).toBe(true)
  })

  it('follows a daily rhythm: busy working hours, quiet nights and weekends', () => {
    const { cfg } = setup('demo')
    const at = (iso: string): number => hourCount(cfg, 'Audit.General', hourOf(Date.parse(iso)))
    let weekday = 0
    let weekend = 0
    let night = 0
    for (const d of ['16', '17', '18', '19', '20']) {
      weekday += at(`2026-11-${d}T10:00:00Z`) + at(`2026-11-${d}T14:00:00Z`)
      night += at(`2026-11-${d}T02:00:00Z`) + at(`2026-11-${d}T03:00:00Z`)
    }
    for (const d of ['14', '15', '21', '22', '28']) {
      weekend += at(`2026-11-${d}T10:00:00Z`) + at(`2026-11-${d}T14:00:00Z`)
    }
    expect(weekday).toBeGreaterThan(5 * weekend)
    expect(weekday).toBeGreaterThan(10 * night)
  })

  it('emits all fifteen connector activities in both record generations, with realistic detail', () => {
    const records = week('demo')
    const legacy = records.filter((r) => r.RecordType === 79 || r.RecordType === 187)
    const unified = records.filter((r) => r.RecordType === 256)
    for (const activity of CONNECTOR_ACTIVITIES) {
      expect(
        legacy.some((r) => r.Operation === activity.operation),
        `legacy ${activity.label}`
      ).toBe(true)
      expect(
        unified.some((r) => r.Operation === activity.operation),
        `256 ${activity.label}`
      ).toBe(true)
    }
    const connectorLegacy = legacy.filter((r) => r.Workload === 'PowerApps')
    expect(connectorLegacy.some((r) => typeof r.AdditionalInfo === 'string')).toBe(true)
    expect(connectorLegacy.some((r) => typeof r.AdditionalInfo === 'object')).toBe(true)
    expect(new Set(connectorLegacy.map((r) => r.RecordType))).toEqual(new Set([79, 187]))
    const asText = connectorLegacy.find((r) => typeof r.AdditionalInfo === 'string')
    expect(Object.keys(JSON.parse(String(asText?.AdditionalInfo)) as object)).toEqual([
      'EnvironmentName',
      'ActionName',
      'ResourceId'
    ])
    const put = unified.find((r) => r.Operation === 'PutConnectionPermission')
    expect(
      props(put as AuditRecord).get('powerplatform.analytics.resource.permission_type')
    ).toBeTruthy()
    expect(props(put as AuditRecord).get('powerplatform.analytics.resource.connection.id')).toMatch(
      /^\/providers\/Microsoft\.PowerApps\/apis\/shared_/
    )
    expect(put?.Workload).toBe('PowerPlatform')
    const workloads = new Set(records.map((r) => r.Workload))
    for (const w of ['PowerApps', 'MicrosoftFlow', 'MicrosoftTeams', 'PowerBI', 'PowerPlatform']) {
      expect(workloads.has(w)).toBe(true)
    }
    expect(records.some((r) => r.RecordType === 45)).toBe(true)
    expect(records.some((r) => r.RecordType === 30 && typeof r.FlowDetailsUrl === 'string')).toBe(
      true
    )
    expect(records.some((r) => r.RecordType === 471 && r.SchemaVersion !== undefined)).toBe(true)
    expect(records.some((r) => r.Operation === 'GovernanceApiPolicyOperation')).toBe(true)
    const premium = unified.some((r) =>
      (props(r).get('powerplatform.analytics.resource.connection.id') ?? '').includes('shared_sql')
    )
    const custom = unified.some((r) =>
      (props(r).get('powerplatform.analytics.resource.connection.id') ?? '').includes(
        'shared_contoso'
      )
    )
    expect(premium && custom).toBe(true)
    expect(records.length).toBeGreaterThan(15_000)
    expect(records.length).toBeLessThan(30_000)
  })

  it('sizes huge at over a million events a week without generating them', () => {
    const { cfg } = setup('huge')
    let total = 0
    for (let h = hourOf(NOW) - 168; h < hourOf(NOW); h++) {
      total += hourCount(cfg, 'Audit.General', h)
    }
    expect(total).toBeGreaterThanOrEqual(1_000_000)
  })
})

describe('scenario files', () => {
  it('extends a named scenario and overrides fields and faults', () => {
    const s = parseScenarioFile(
      JSON.stringify({
        extends: 'huge',
        name: 'mine',
        eventsPerDay: 500,
        faults: { pageSize: 3, throttleStatus: 429 }
      })
    )
    expect(s.name).toBe('mine')
    expect(s.generator.eventsPerDay).toBe(500)
    expect(s.generator.blobSize).toBe(SCENARIOS.huge.generator.blobSize)
    expect(s.faults.pageSize).toBe(3)
    expect(s.faults.throttleStatus).toBe(429)
    const throttled = parseScenarioFile(
      JSON.stringify({ extends: 'throttled', faults: { pageSize: 3 } })
    )
    expect(throttled.faults.publisherBudgetPerMinute).toBe(30)
    expect(throttled.faults.pageSize).toBe(3)
  })

  it('reports every problem with its path', () => {
    const bad = JSON.stringify({
      extends: 'nope',
      eventsPerDay: -1,
      latencyMinutes: { min: 9, max: 1 },
      faults: { pageSize: 0, typo: 1 },
      extra: 1
    })
    let message = ''
    try {
      parseScenarioFile(bad, 'my.json')
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toContain('my.json is invalid')
    for (const path of ['extends', 'eventsPerDay', 'latencyMinutes', 'faults.pageSize']) {
      expect(message).toContain(`- ${path}:`)
    }
    expect(message).toMatch(/extra/)
    expect(message).toMatch(/typo/)
    expect(() => parseScenarioFile('{oops', 'x.json')).toThrow(/x.json: not valid JSON/)
  })

  it('defines all eight named scenarios', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([
      'clean',
      'demo',
      'duplicates',
      'expired',
      'flaky',
      'huge',
      'late-arrivals',
      'throttled'
    ])
  })
})
