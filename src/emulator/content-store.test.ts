import { describe, expect, it } from 'vitest'

import { createClock } from './clock'
import { ContentStore } from './content-store'
import { CONTENT_TYPES, createWorld } from './generator'
import type { GeneratorConfig } from './generator'
import { SCENARIOS } from './scenarios'
import { createTenantModel } from './tenant'

const NOW = new Date('2026-11-20T12:00:00Z')
const DAY = 86_400_000

describe('ContentStore', () => {
  it('clean: no Id repeats across the blobs of several days (40,000 events a day, seed 21)', () => {
    const seed = 21
    const cfg: GeneratorConfig = { ...SCENARIOS.clean.generator, eventsPerDay: 40_000, seed }
    const store = new ContentStore({
      cfg,
      world: createWorld(seed, createTenantModel(seed)),
      clock: createClock(NOW),
      preSubscribed: [...CONTENT_TYPES],
      firstContentDelayMinutes: () => 0,
      restartRuleMinutes: () => 15
    })
    const ids = new Set<string>()
    let total = 0
    for (const ct of CONTENT_TYPES) {
      for (const plan of store.listBlobs(ct, NOW.getTime() - 3 * DAY, NOW.getTime())) {
        for (const record of store.records(plan)) {
          ids.add(record.Id)
          total++
        }
      }
    }
    // ~290,000 records: GUIDs drawn from 32-bit seeds repeated 16 of them (the birthday bound)
    expect(total).toBeGreaterThan(150_000)
    expect(total - ids.size).toBe(0)
    // The birthday bound needs a few hundred thousand records, several seconds of CPU: on a loaded
    // machine that can pass the suite's 20 s default, so this test gets its own generous limit.
  }, 300_000)
})
