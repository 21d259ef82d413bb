import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { PushJournal, PushJournalMismatch, idsDigest } from './log-analytics-journal'

const IDENTITY = {
  destination: 'loganalytics',
  target: 'https://x/|dcr-1|Custom-T_CL',
  source: 'store:/s'
}

describe('PushJournal', () => {
  let dir: string
  let file: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-push-journal-'))
    file = join(dir, 'journal.ndjson')
  })

  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('reopens with the same run, its parts and their states; a torn last line is cut', async () => {
    const first = await PushJournal.open(file, IDENTITY, () => 'run1')
    expect(first.isResumed).toBe(false)
    const at = '2026-12-05T00:00:00.000Z'
    await first.append({
      kind: 'part',
      tag: 'run1-1',
      first: 0,
      count: 2,
      bytes: 10,
      idsSha256: idsDigest(['a', 'b']),
      at
    })
    await first.append({ kind: 'sent', tag: 'run1-1', at })
    await first.append({
      kind: 'part',
      tag: 'run1-2',
      first: 2,
      count: 1,
      bytes: 5,
      idsSha256: idsDigest(['c']),
      at
    })
    await first.close()
    await appendFile(file, '{"kind":"sent","tag":"run1-')

    const again = await PushJournal.open(file, IDENTITY, () => 'other')
    expect(again.isResumed).toBe(true)
    expect(again.runId).toBe('run1')
    expect(again.topLevel().map((p) => [p.tag, p.status])).toEqual([
      ['run1-1', 'sent'],
      ['run1-2', 'planned']
    ])
    expect(again.nextFirst()).toBe(3)
    await again.close()
    expect((await readFile(file, 'utf8')).endsWith('\n')).toBe(true)
  })

  it('names halves of a split part once, even when the split is written again', async () => {
    const j = await PushJournal.open(file, IDENTITY, () => 'r')
    const at = '2026-12-05T00:00:00.000Z'
    const sha = idsDigest(['a'])
    await j.append({ kind: 'part', tag: 'r-1', first: 0, count: 2, bytes: 1, idsSha256: sha, at })
    for (let i = 0; i < 2; i++) {
      await j.append({
        kind: 'part',
        tag: 'r-1.1',
        parent: 'r-1',
        first: 0,
        count: 1,
        bytes: 0,
        idsSha256: sha,
        at
      })
      await j.append({
        kind: 'part',
        tag: 'r-1.2',
        parent: 'r-1',
        first: 1,
        count: 1,
        bytes: 0,
        idsSha256: sha,
        at
      })
    }
    expect(j.part('r-1')?.children).toEqual(['r-1.1', 'r-1.2'])
    expect(j.topLevel().map((p) => p.tag)).toEqual(['r-1'])
    await j.close()
  })

  it('refuses the journal of another push, naming what differs', async () => {
    await (await PushJournal.open(file, IDENTITY, () => 'r')).close()
    await expect(
      PushJournal.open(file, { ...IDENTITY, source: 'store:/elsewhere' }, () => 'r')
    ).rejects.toThrow(PushJournalMismatch)
    await expect(
      PushJournal.open(file, { ...IDENTITY, target: 'https://x/|dcr-2|Custom-T_CL' }, () => 'r')
    ).rejects.toThrow(/its target is/)
  })
})
