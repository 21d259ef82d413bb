import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'

import { AppError } from '../../../shared/errors'
import { MemoryLogger } from '../logging/logger'

import { JsonCollection } from './json-collection'

const Item = z.object({ id: z.string().min(1), name: z.string() })
type Item = z.infer<typeof Item>

describe('JsonCollection', () => {
  let dir: string
  let log: MemoryLogger
  const make = (file = join(dir, 'items.json'), seen?: Item[][]): JsonCollection<Item> =>
    new JsonCollection({
      file,
      key: 'items',
      item: Item,
      domain: 'profiles',
      noun: 'item',
      log,
      ...(seen ? { onDidChange: (items: Item[]) => seen.push(items) } : {})
    })

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-collection-'))
    log = new MemoryLogger()
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('starts empty without a file and writes { version: 1, <key>: [...] }', async () => {
    const seen: Item[][] = []
    const items = make(undefined, seen)
    expect(await items.list()).toEqual([])
    await items.mutate((all) => ({ next: [...all, { id: 'a', name: 'A' }], result: undefined }))
    const onDisk = JSON.parse(await readFile(join(dir, 'items.json'), 'utf8')) as unknown
    expect(onDisk).toEqual({ version: 1, items: [{ id: 'a', name: 'A' }] })
    expect(seen).toEqual([[{ id: 'a', name: 'A' }]])
    expect(await make().get('a')).toEqual({ id: 'a', name: 'A' })
  })

  it('serializes changes: each sees the list the previous one left', async () => {
    const items = make()
    await Promise.all(
      ['a', 'b', 'c', 'd'].map((id) =>
        items.mutate(async (all) => {
          await new Promise((resolve) => setImmediate(resolve))
          return { next: [...all, { id, name: id }], result: undefined }
        })
      )
    )
    expect((await make().list()).map((i) => i.id)).toEqual(['a', 'b', 'c', 'd'])
  })

  it('get of an unknown id and delete report what happened', async () => {
    const items = make()
    await items.mutate(() => ({ next: [{ id: 'a', name: 'A' }], result: undefined }))
    await expect(items.get('zz')).rejects.toMatchObject({
      code: 'profiles/not-found',
      message: 'No item with id zz'
    })
    expect(await items.delete('zz')).toBe(false)
    expect(await items.delete('a')).toBe(true)
    expect(await make().list()).toEqual([])
  })

  it('moves an unreadable file aside, logs it and starts empty', async () => {
    for (const text of ['{ not json', JSON.stringify({ version: 2, items: [] })]) {
      await writeFile(join(dir, 'items.json'), text)
      expect(await make().list()).toEqual([])
      expect(log.lines.at(-1)).toMatch(/^warn \[profiles\] items\.json is unreadable; moved aside/)
    }
    const files = await readdir(dir)
    expect(files.filter((f) => f.startsWith('items.json.corrupt-'))).toHaveLength(2)
    expect(files).not.toContain('items.json')
  })

  it('a failed write throws <domain>/write-failed and keeps the list as it was', async () => {
    await writeFile(join(dir, 'not-a-folder'), 'x')
    const items = make(join(dir, 'not-a-folder', 'items.json'))
    const failed = items.mutate(() => ({ next: [{ id: 'a', name: 'A' }], result: 1 }))
    await expect(failed).rejects.toBeInstanceOf(AppError)
    await expect(failed).rejects.toMatchObject({
      code: 'profiles/write-failed',
      message: expect.stringMatching(/^The item could not be saved \(E[A-Z]+\)\./) as unknown
    })
    expect(await items.list()).toEqual([])
    // the queue goes on after a failure
    await expect(items.mutate((all) => ({ next: all, result: 2 }))).rejects.toMatchObject({
      code: 'profiles/write-failed'
    })
  })
})
