import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { AcquisitionLogEntry } from '../../../shared/snapshot'
import { MemoryLogger } from '../logging/logger'

import { AppAcquisitionLog } from './app-acquisition-log'

const entry = (source: string): Parameters<AppAcquisitionLog['append']>[0] => ({
  at: '2026-12-05T15:00:00.000Z',
  actor: 'alex',
  action: 'import',
  source,
  parameters: { status: 'complete' },
  counts: { rows: 1 }
})

describe('AppAcquisitionLog', () => {
  let dir = ''
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-app-log-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('appends concurrent entries one after another into one chain, and lists them newest first', async () => {
    const appended: AcquisitionLogEntry[] = []
    const log = new AppAcquisitionLog({
      dir,
      log: new MemoryLogger(),
      onDidAppend: (e) => appended.push(e)
    })
    expect(await log.list()).toEqual({ entries: [], total: 0, problems: [] })
    await Promise.all(['a.csv', 'b.csv', 'c.csv'].map((name) => log.append(entry(name))))
    const listing = await log.list()
    expect(listing.problems).toEqual([])
    expect(listing.total).toBe(3)
    expect(listing.entries.map((e) => e.seq)).toEqual([3, 2, 1])
    expect(appended.map((e) => e.source)).toEqual(['a.csv', 'b.csv', 'c.csv'])
    expect((await log.list(2)).entries.map((e) => e.seq)).toEqual([3, 2])
  })

  it('reports an edited entry and never extends a broken chain', async () => {
    const logger = new MemoryLogger()
    const log = new AppAcquisitionLog({ dir, log: logger })
    await log.append(entry('a.csv'))
    await log.append(entry('b.csv'))
    const text = await readFile(log.path, 'utf8')
    await writeFile(log.path, text.replace('a.csv', 'x.csv'))
    const listing = await log.list()
    expect(listing.problems).toEqual([
      'line 2: entry 2 does not chain to entry 1: entry 1 was edited, or entries were removed or reordered'
    ])
    expect(await log.append(entry('c.csv'))).toBeNull()
    expect((await log.list()).total).toBe(2)
    expect(logger.lines.some((l) => l.includes('[acquisition-log] entry not written'))).toBe(true)
  })
})
