import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { PushJournal, PushJournalError } from './push-journal'

const HEADER = {
  destination: 'adx',
  target: 'https://c.example/Db/T',
  settings: { mode: 'streaming', maxPartRecords: 100 }
}

describe('PushJournal', () => {
  let dir: string
  let path: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-journal-'))
    path = join(dir, 'push.journal.ndjson')
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('keeps the latest state of every part across reopenings', async () => {
    const j = await PushJournal.open(path, HEADER)
    await j.record({ index: 0, id: 'a', records: 2, state: 'sending' })
    await j.record({ index: 0, id: 'a', records: 2, state: 'verified' })
    await j.record({ index: 1, id: 'b', records: 3, state: 'sending' })
    await j.close()
    const again = await PushJournal.open(path, HEADER)
    expect(again.parts().map((p) => [p.index, p.id, p.state])).toEqual([
      [0, 'a', 'verified'],
      [1, 'b', 'sending']
    ])
    await again.close()
  })

  it('drops a last line torn by a crash, and keeps appending after it', async () => {
    const j = await PushJournal.open(path, HEADER)
    await j.record({ index: 0, id: 'a', records: 2, state: 'verified' })
    await j.close()
    await appendFile(path, '{"kind":"part","index":1,"id":"b","rec')
    const again = await PushJournal.open(path, HEADER)
    expect(again.parts().map((p) => p.index)).toEqual([0])
    await again.record({ index: 1, id: 'b', records: 1, state: 'sending' })
    await again.close()
    const lines = (await readFile(path, 'utf8')).trim().split('\n')
    expect(lines.map((l) => JSON.parse(l) as { kind: string }).map((l) => l.kind)).toEqual([
      'header',
      'part',
      'part'
    ])
  })

  it('refuses a journal of another target or other part settings, and a damaged middle line', async () => {
    const j = await PushJournal.open(path, HEADER)
    await j.record({ index: 0, id: 'a', records: 2, state: 'verified' })
    await j.close()
    await expect(
      PushJournal.open(path, { ...HEADER, target: 'https://c.example/Db/U' })
    ).rejects.toThrow(/is the journal of a push to adx https:\/\/c.example\/Db\/T/)
    await expect(
      PushJournal.open(path, { ...HEADER, settings: { mode: 'streaming', maxPartRecords: 50 } })
    ).rejects.toThrow(/maxPartRecords=100, this push has maxPartRecords=50/)
    const text = await readFile(path, 'utf8')
    const [head, ...rest] = text.trim().split('\n')
    await writeFile(path, `${head}\nnot json\n${rest.join('\n')}\n`)
    await expect(PushJournal.open(path, HEADER)).rejects.toBeInstanceOf(PushJournalError)
  })
})
