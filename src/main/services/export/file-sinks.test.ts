import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { writeCsvFiles, writeTextFile } from './file-sinks'

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cax-sinks-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Runs `fn` and returns the process warnings it caused (they are emitted on a later tick). */
async function warningsDuring(fn: () => Promise<unknown>): Promise<Error[]> {
  const seen: Error[] = []
  const onWarning = (w: Error): void => {
    seen.push(w)
  }
  process.on('warning', onWarning)
  try {
    await fn()
    await new Promise((r) => setImmediate(r))
  } finally {
    process.off('warning', onWarning)
  }
  return seen
}

// Chunks larger than the stream's 16 KiB high-water mark: every write waits for 'drain'.
const CHUNK = 'x'.repeat(64 * 1024) + '\n'
const CHUNKS = 200

describe('file sinks', () => {
  it('write far more back-pressured chunks than the listener limit without a warning', async () => {
    const out = join(dir, 'big.ndjson')
    async function* chunks(): AsyncGenerator<string> {
      for (let i = 0; i < CHUNKS; i++) {
        yield CHUNK
      }
    }
    const warnings = await warningsDuring(() => writeTextFile(chunks(), out))
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([])
    expect((await readFile(out)).length).toBe(CHUNK.length * CHUNKS)
  })

  it('the same for CSV parts', async () => {
    async function* chunks(): AsyncGenerator<{ part: number; text: string }> {
      for (let i = 0; i < CHUNKS; i++) {
        yield { part: i < CHUNKS / 2 ? 1 : 2, text: CHUNK }
      }
    }
    let files: Awaited<ReturnType<typeof writeCsvFiles>> = []
    const warnings = await warningsDuring(async () => {
      files = await writeCsvFiles(chunks(), join(dir, 'big.csv'))
    })
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([])
    expect(files.map((f) => f.bytes)).toEqual([
      (CHUNK.length * CHUNKS) / 2,
      (CHUNK.length * CHUNKS) / 2
    ])
  })

  it('reports a file that cannot be written instead of crashing on an unhandled error', async () => {
    async function* chunks(): AsyncGenerator<string> {
      yield 'a\n'
    }
    await expect(writeTextFile(chunks(), join(dir, 'no-such-folder', 'x.ndjson'))).rejects.toThrow(
      /ENOENT/
    )
  })
})
