import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { PushJournal, PushJournalError, idsDigest, journalCompletedAt } from './push-journal'

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
    ).rejects.toThrow(PushJournalError)
    await expect(
      PushJournal.open(file, { ...IDENTITY, target: 'https://x/|dcr-2|Custom-T_CL' }, () => 'r')
    ).rejects.toThrow(/its target is/)
  })

  it('refuses other part settings, and a damaged line before the last', async () => {
    const adx = {
      destination: 'adx',
      target: 'https://c.example/Db/T',
      settings: { mode: 'streaming', maxPartRecords: 100 }
    }
    const j = await PushJournal.open(file, adx, () => 'r')
    const at = '2026-12-05T00:00:00.000Z'
    const sha = idsDigest(['a'])
    await j.append({ kind: 'part', tag: 'cax-1', first: 0, count: 1, bytes: 1, idsSha256: sha, at })
    await j.append({ kind: 'sent', tag: 'cax-1', at })
    await j.close()
    await expect(
      PushJournal.open(
        file,
        { ...adx, settings: { mode: 'streaming', maxPartRecords: 50 } },
        () => 'r'
      )
    ).rejects.toThrow(/maxPartRecords=100, this push has maxPartRecords=50/)
    // No source named: the same records from a moved store resume the same journal.
    const resumed = await PushJournal.open(file, adx, () => 'other')
    expect(resumed.partAt(0)?.status).toBe('sent')
    await resumed.close()
    const [head, ...rest] = (await readFile(file, 'utf8')).trim().split('\n')
    await writeFile(file, `${head}\nnot json\n${rest.join('\n')}\n`)
    await expect(PushJournal.open(file, adx, () => 'r')).rejects.toThrow(
      /line 2 is damaged; move the journal aside/
    )
  })

  it('rewrites a journal of the earlier ADX format into this one, keeping every part state', async () => {
    const adx = {
      destination: 'adx',
      target: 'https://c.example/Db/T',
      settings: { mode: 'streaming', maxPartBytes: 3_500_000, maxPartRecords: 100 }
    }
    const at = '2026-11-30T10:00:00.000Z'
    const v1 = [
      { kind: 'header', version: 1, ...adx },
      { kind: 'part', index: 0, id: 'cax-a', records: 100, state: 'sending', at },
      { kind: 'part', index: 0, id: 'cax-a', records: 100, state: 'sent', at },
      { kind: 'part', index: 0, id: 'cax-a', records: 100, state: 'verified', at },
      { kind: 'part', index: 1, id: 'cax-b', records: 100, state: 'sending', at },
      { kind: 'part', index: 1, id: 'cax-b', records: 100, state: 'sent', at },
      { kind: 'part', index: 2, id: 'cax-c', records: 40, state: 'sending', at }
    ]
    await writeFile(
      file,
      `${v1.map((l) => JSON.stringify(l)).join('\n')}\n{"kind":"part","index":2,"id":"cax-c","rec`
    )
    // The earlier format also refused other settings; so does the migrated journal.
    const j = await PushJournal.open(file, adx, () => 'migrated')
    expect(j.isResumed).toBe(true)
    expect(j.topLevel().map((p) => [p.tag, p.first, p.count, p.status])).toEqual([
      ['cax-a', 0, 100, 'verified'],
      ['cax-b', 100, 100, 'sent'],
      ['cax-c', 200, 40, 'planned']
    ])
    expect(j.nextFirst()).toBe(240)
    await j.close()
    const kinds = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { kind: string }).kind)
    expect(kinds[0]).toBe('run')
    expect(kinds).not.toContain('header')
    await expect(
      PushJournal.open(file, { ...adx, target: 'https://c.example/Db/U' }, () => 'r')
    ).rejects.toThrow(/is the journal of a push to adx https:\/\/c.example\/Db\/T/)
  })

  it('is marked complete once every part is verified, once; a part planned later undoes it', async () => {
    const at = '2026-12-05T00:00:00.000Z'
    const j = await PushJournal.open(file, IDENTITY, () => 'r')
    const part = (tag: string, first: number, count: number, parent?: string): Promise<void> =>
      j.append({
        kind: 'part',
        tag,
        ...(parent !== undefined ? { parent } : {}),
        first,
        count,
        bytes: 1,
        idsSha256: idsDigest([tag]),
        at
      })
    await part('r-1', 0, 2)
    await part('r-2', 2, 4)
    await j.append({ kind: 'sent', tag: 'r-1', at })
    await j.append({ kind: 'verified', tag: 'r-1', count: 2, at })
    // r-2 is split; one half verified, the other only sent: not complete.
    await part('r-2.1', 2, 2, 'r-2')
    await part('r-2.2', 4, 2, 'r-2')
    await j.append({ kind: 'split', tag: 'r-2', at })
    await j.append({ kind: 'verified', tag: 'r-2.1', count: 2, at })
    await j.append({ kind: 'sent', tag: 'r-2.2', at })
    const done = new Date('2026-12-06T00:00:00.000Z')
    expect(await j.markComplete(() => done)).toBe(false)
    expect(j.completedAt).toBeUndefined()
    await j.append({ kind: 'verified', tag: 'r-2.2', count: 2, at })
    expect(await j.markComplete(() => done)).toBe(true)
    // A second call writes nothing more.
    expect(await j.markComplete(() => new Date('2027-01-01T00:00:00.000Z'))).toBe(true)
    expect(j.completedAt).toBe(done.toISOString())
    await j.close()
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string })
    expect(lines.filter((l) => l.kind === 'complete')).toEqual([
      { kind: 'complete', records: 6, parts: 3, at: done.toISOString() }
    ])
    expect(await journalCompletedAt(file)).toBe(done.toISOString())

    // Reopened: still complete. A new part (a store that grew) makes it incomplete again.
    const again = await PushJournal.open(file, IDENTITY, () => 'x')
    expect(again.completedAt).toBe(done.toISOString())
    await again.append({
      kind: 'part',
      tag: 'r-3',
      first: 6,
      count: 1,
      bytes: 1,
      idsSha256: idsDigest(['r-3']),
      at
    })
    expect(again.completedAt).toBeUndefined()
    await again.close()
    expect(await journalCompletedAt(file)).toBeUndefined()
    expect(await journalCompletedAt(join(dir, 'missing.ndjson'))).toBeUndefined()
  })
})
