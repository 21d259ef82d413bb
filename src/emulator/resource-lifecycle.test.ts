import { describe, expect, it } from 'vitest'

import { normalizeRecord } from '../shared/audit'
import { GovernanceFold } from '../shared/governance'

import { generateHour, hourOf, createWorld } from './generator'
import {
  CONNECTION_PERIOD_MS,
  connectionLife,
  lifecycleEvents,
  pilotApiLife
} from './resource-lifecycle'
import { SCENARIOS } from './scenarios'
import { createTenantModel } from './tenant'

const NOW = Date.parse('2026-11-20T12:00:00Z')
const HOUR = 3_600_000

function demoWeek(seed = 1): GovernanceFold {
  const tenant = createTenantModel(seed)
  const cfg = { ...SCENARIOS.demo.generator, seed }
  const world = createWorld(seed, tenant)
  const fold = new GovernanceFold()
  for (let h = hourOf(NOW) - 168; h < hourOf(NOW); h++) {
    for (const raw of generateHour(cfg, world, 'Audit.General', h)) {
      const normalized = normalizeRecord(JSON.stringify(raw))
      if (!normalized.ok) {
        throw new Error(normalized.reason)
      }
      fold.add(normalized.record)
    }
  }
  return fold
}

describe('resource lifecycles', () => {
  it('are a pure function of the seed: one create per generation, a delete after it', () => {
    for (let slot = 0; slot < 20; slot++) {
      const life = connectionLife(7, slot, 4)
      expect(connectionLife(7, slot, 4)).toEqual(life)
      const next = connectionLife(7, slot, 5)
      expect(next.created - life.created).toBeGreaterThan(CONNECTION_PERIOD_MS * (5 / 6))
      expect(next.created - life.created).toBeLessThan(CONNECTION_PERIOD_MS * (7 / 6))
      if (life.deleted !== null) {
        // Deleted after its creation, before the slot's next resource is created.
        expect(life.deleted).toBeGreaterThan(life.created)
        expect(life.deleted).toBeLessThan(next.created)
      }
      const api = pilotApiLife(7, 0, slot)
      expect((api.deleted ?? 0) - api.created).toBeLessThanOrEqual(8 * HOUR)
      // Made during the working day.
      expect(new Date(api.created).getUTCHours()).toBeGreaterThanOrEqual(8)
      expect(new Date(api.created).getUTCHours()).toBeLessThan(17)
    }
    const hour = hourOf(NOW)
    const events = lifecycleEvents(7, 40, hour)
    expect(events.every((e) => e.at >= hour * HOUR && e.at < (hour + 1) * HOUR)).toBe(true)
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort((a, b) => a - b))
  })

  it('give the demo week connections with a whole life story and one id throughout', () => {
    const fold = demoWeek()
    const rows = fold.rows()
    const connections = rows.filter((r) => r.kind === 'connection')
    // Ids are reused: far fewer connections than connection events.
    const events = connections.reduce((n, r) => n + r.eventCount, 0)
    expect(events / connections.length).toBeGreaterThan(5)
    const born = connections.filter(
      (r) => r.created !== null && r.createdBasis.includes('PutConnection')
    )
    expect(born.length).toBeGreaterThan(20)
    const bornAndGone = born.filter((r) => r.state === 'deleted')
    expect(bornAndGone.length).toBeGreaterThan(3)
    expect(connections.some((r) => r.state === 'turned-off' && r.policy !== '')).toBe(true)
    // Created before the week: said so, with the first event seen.
    expect(
      connections.some((r) => r.createdBasis.startsWith('first "created or edited" event'))
    ).toBe(true)
    // Random events touch only live resources: nothing happens to a connection after its deletion.
    expect(rows.flatMap((r) => r.notes).filter((n) => n.includes('after the deletion'))).toEqual([])
  })

  it('share some connections with the whole organisation and with guests, and let a custom API come and go within a day', () => {
    const fold = demoWeek()
    const findings = new Map(fold.findings().map((f) => [f.ruleId, f]))
    expect(findings.get('shared-with-organisation')?.count).toBeGreaterThan(0)
    expect(findings.get('shared-with-guests')?.count).toBeGreaterThan(0)
    expect(findings.get('short-lived-custom-api')?.count).toBeGreaterThan(0)
    expect(
      findings
        .get('dlp-turned-off')
        ?.items.some((i) => !i.reason.startsWith('A data policy (not named'))
    ).toBe(true)
    const guest = fold
      .rows()
      .flatMap((r) => r.sharing)
      .find((s) => s.audience === 'guest')
    expect(guest?.principalName).toMatch(/#EXT#@/)
    const apis = fold.rows().filter((r) => r.kind === 'custom-api')
    expect(apis.some((r) => r.state === 'deleted' && r.name.startsWith('Contoso Pilot API'))).toBe(
      true
    )
  })
})
