import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { PushJournal, PushJournalError, idsDigest } from './push-journal'

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
})
