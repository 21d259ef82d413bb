/**
 * Issue 10 item 4: a snapshot is read within bounds. Every hostile container here is refused with
 * a specific failure, and the refusals that must come before inflating prove it by the count of
 * bytes inflated (deterministic; no timing).
 */
import { stat, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { createDeflateRaw } from 'node:zlib'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  buildManifest,
  DEFAULT_SNAPSHOT_LIMITS,
  GENESIS_SHA256,
  type ManifestPart,
  type SnapshotLimits
} from '../../../shared/snapshot'

import { boundedLines, lineBatches, LineTooLongError } from './bounded-lines'
import { nodeSha256 } from './node-sha256'
import { SnapshotReader, verifySnapshot } from './snapshot-reader'
import { buildRawZip, deflatedEntry, type RawEntry } from './test-zip'
import { ZipReader } from './zip-reader'

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cax-bounded-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const sha = (text: string): string => {
  const h = nodeSha256()
  h.update(Buffer.from(text, 'utf8'))
  return h.digestHex()
}

/** A manifest (valid, self-hashed, as an attacker can write one) listing the given parts. */
function manifestFor(parts: ManifestPart[], recordCount = 0): string {
  return buildManifest(
    {
      appVersion: '0.0.0',
      createdAt: '2026-05-20T00:00:00.000Z',
      recordCount,
      annotationCount: 0,
      ledgerEntryCount: 0,
      acquisitionLogEntryCount: 0,
      acquisitionLogHeadSha256: GENESIS_SHA256,
      parts
    },
    nodeSha256
  ).text
}

const LEDGER = '{"windows":{},"blobs":{},"queries":{}}\n'
const SMALL_PARTS: Record<string, string> = {
  'ledger.json': LEDGER,
  'annotations.json': '{}\n',
  'acquisition-log.ndjson': ''
}

/** A snapshot whose records entry is `records` (declaring `declaredSize`), with a consistent manifest. */
function snapshotWith(
  records: RawEntry,
  options: { extra?: RawEntry[]; recordsSha?: string; recordCount?: number } = {}
): Buffer {
  const parts: ManifestPart[] = [
    {
      name: 'records.ndjson',
      size: records.declaredSize,
      sha256: options.recordsSha ?? 'a'.repeat(64)
    },
    ...Object.entries(SMALL_PARTS).map(([name, text]) => ({
      name,
      size: Buffer.byteLength(text),
      sha256: sha(text)
    }))
  ]
  return buildRawZip([
    records,
    ...Object.entries(SMALL_PARTS).map(([name, text]) => deflatedEntry(name, text)),
    ...(options.extra ?? []),
    deflatedEntry('manifest.json', manifestFor(parts, options.recordCount))
  ])
}

async function save(name: string, bytes: Buffer): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, bytes)
  return path
}

/** Deflates `size` zero bytes as a stream (never holding them) and returns the compressed bytes. */
async function deflatedZeros(size: number): Promise<Buffer> {
  const chunk = Buffer.alloc(1024 * 1024)
  let left = size
  const zeros = Readable.from(
    (function* () {
      while (left > 0) {
        const n = Math.min(left, chunk.length)
        left -= n
        yield n === chunk.length ? chunk : chunk.subarray(0, n)
      }
    })()
  )
  const out: Buffer[] = []
  for await (const c of zeros.pipe(createDeflateRaw({ level: 9 }))) {
    out.push(c as Buffer)
  }
  return Buffer.concat(out)
}

const limits = (overrides: Partial<SnapshotLimits>): SnapshotLimits => ({
  ...DEFAULT_SNAPSHOT_LIMITS,
  ...overrides
})

describe('zip bombs are refused before inflating', () => {
  it('a few-KB file declaring 11 GB of records: refused, nothing but the manifest inflated', async () => {
    const eleven = 11 * 1000 ** 3
    // The records entry holds 4 KB of real deflate data (zeros) but declares 11 GB, with a
    // manifest that agrees, as a hostile writer would make it.
    const bomb = snapshotWith({
      name: 'records.ndjson',
      data: await deflatedZeros(4 * 1024 * 1024),
      declaredSize: eleven
    })
    const path = await save('bomb-11gb.caxsnap', bomb)
    expect((await stat(path)).size).toBeLessThan(16 * 1024)

    const stats = { inflatedBytes: -1 }
    const report = await verifySnapshot(path, { stats })
    expect(report.ok).toBe(false)
    expect(report.failures).toEqual([
      expect.objectContaining({ part: 'records.ndjson', code: 'part-ratio-too-high' })
    ])
    expect(report.failures[0]?.message).toMatch(/11,000,000,000.*zip bomb/)
    // Only the manifest (well under 2 KB) was inflated: the records were never touched.
    expect(stats.inflatedBytes).toBeGreaterThan(0)
    expect(stats.inflatedBytes).toBeLessThan(2048)

    await expect(SnapshotReader.open(path)).rejects.toThrow(/records\.ndjson.*zip bomb/)
  })

  it('an honest deflate of 32 MB of zeros (ratio ~1000:1) is refused by its ratio', async () => {
    const size = 32 * 1024 * 1024
    const stats = { inflatedBytes: -1 }
    const path = await save(
      'bomb-zeros.caxsnap',
      snapshotWith({ name: 'records.ndjson', data: await deflatedZeros(size), declaredSize: size })
    )
    const report = await verifySnapshot(path, { stats })
    expect(report.failures.map((f) => f.code)).toEqual(['part-ratio-too-high'])
    expect(stats.inflatedBytes).toBeLessThan(2048)
  })

  it('a part that declares 100 bytes but inflates to 64 MB stops at the declared size', async () => {
    const stats = { inflatedBytes: -1 }
    const path = await save(
      'bomb-lying-small.caxsnap',
      snapshotWith({
        name: 'records.ndjson',
        data: await deflatedZeros(64 * 1024 * 1024),
        declaredSize: 100
      })
    )
    const report = await verifySnapshot(path, { stats })
    expect(report.failures).toEqual([
      expect.objectContaining({ part: 'records.ndjson', code: 'part-unreadable' })
    ])
    expect(stats.inflatedBytes).toBeLessThan(2048 + 100)
  })

  it('overlapping entries (one compressed kernel read by many names) are refused', async () => {
    const kernel = deflatedEntry('records.ndjson', 'x\n'.repeat(10))
    const bytes = buildRawZip([
      kernel,
      { ...kernel, name: 'ledger.json', overlapWith: 0 },
      deflatedEntry('manifest.json', manifestFor([]))
    ])
    const stats = { inflatedBytes: -1 }
    const report = await verifySnapshot(await save('overlap.caxsnap', bytes), { stats })
    expect(report.failures).toEqual([
      expect.objectContaining({ part: '(container)', code: 'container-refused' })
    ])
    expect(report.failures[0]?.message).toMatch(/overlap/)
    expect(stats.inflatedBytes).toBe(0)
  })
})

describe('each limit has its own failure', () => {
  const honestRecords = (text: string): RawEntry => deflatedEntry('records.ndjson', text)

  it('too many entries: refused before reading any of them', async () => {
    const many = Array.from({ length: 40 }, (_, i) => deflatedEntry(`junk-${i}.txt`, 'x'))
    const stats = { inflatedBytes: -1 }
    const report = await verifySnapshot(
      await save('many.caxsnap', snapshotWith(honestRecords(''), { extra: many })),
      { stats }
    )
    expect(report.failures).toEqual([
      expect.objectContaining({
        code: 'container-refused',
        message: expect.stringMatching(/45 entries/)
      })
    ])
    expect(stats.inflatedBytes).toBe(0)
  })

  it('unknown and duplicate entries: named, and never inflated', async () => {
    const stats = { inflatedBytes: -1 }
    const report = await verifySnapshot(
      await save(
        'unknown-dup.caxsnap',
        snapshotWith(honestRecords(''), {
          extra: [deflatedEntry('payload.exe', 'MZ'), deflatedEntry('ledger.json', LEDGER)],
          recordsSha: sha('')
        })
      ),
      { stats }
    )
    expect(report.failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ part: 'payload.exe', code: 'part-unexpected' }),
        expect.objectContaining({ part: 'ledger.json', code: 'part-duplicated' })
      ])
    )
    expect(report.failures.some((f) => f.code === 'part-missing')).toBe(false)
    expect(report.verifiedParts).not.toContain('ledger.json')
  })

  it('a declared size other than the manifest’s: refused without inflating that part', async () => {
    const text = 'x\n'.repeat(1000)
    const entry = honestRecords(text)
    const parts: ManifestPart[] = [
      { name: 'records.ndjson', size: 10, sha256: sha(text) },
      ...Object.entries(SMALL_PARTS).map(([name, t]) => ({
        name,
        size: Buffer.byteLength(t),
        sha256: sha(t)
      }))
    ]
    const bytes = buildRawZip([
      entry,
      ...Object.entries(SMALL_PARTS).map(([name, t]) => deflatedEntry(name, t)),
      deflatedEntry('manifest.json', manifestFor(parts, 1000))
    ])
    const stats = { inflatedBytes: -1 }
    const report = await verifySnapshot(await save('size-lie.caxsnap', bytes), { stats })
    expect(report.failures).toEqual([
      expect.objectContaining({ part: 'records.ndjson', code: 'part-size-mismatch' })
    ])
    expect(report.failures[0]?.message).toMatch(/declared as 2,000 bytes.*manifest says 10/)
    expect(stats.inflatedBytes).toBeLessThan(2000)
  })

  it('per-part and total size limits', async () => {
    const path = await save('sizes.caxsnap', snapshotWith(honestRecords('x\n'.repeat(500))))
    const perPart = await verifySnapshot(path, {
      limits: limits({
        maxPartBytes: { ...DEFAULT_SNAPSHOT_LIMITS.maxPartBytes, 'records.ndjson': 999 }
      })
    })
    expect(perPart.failures).toEqual([
      expect.objectContaining({
        part: 'records.ndjson',
        code: 'part-too-large',
        message: expect.stringMatching(/1,000 bytes; the limit for this part is 999/)
      })
    ])
    const total = await verifySnapshot(path, { limits: limits({ maxTotalBytes: 1000 }) })
    expect(total.failures).toEqual([
      expect.objectContaining({ part: '(container)', code: 'container-refused' })
    ])
    expect(total.failures[0]?.message).toMatch(/read up to 1,000 bytes/)
    const file = await verifySnapshot(path, { limits: limits({ maxFileBytes: 100 }) })
    expect(file.failures[0]?.message).toMatch(/the file is .* bytes; snapshots are read up to 100/)
  })

  it('a line longer than the limit: refused after that many bytes, whatever follows', async () => {
    const line = `${'y'.repeat(5000)}\n`
    const path = await save('long-line.caxsnap', snapshotWith(honestRecords(line.repeat(3))))
    const report = await verifySnapshot(path, { limits: limits({ maxLineBytes: 4096 }) })
    expect(report.failures).toEqual([
      expect.objectContaining({
        part: 'records.ndjson',
        code: 'part-line-too-long',
        message: expect.stringMatching(/line 1 is longer than 4,096 bytes/)
      })
    ])
  })

  it('boundedLines never holds more than one line of the limit', async () => {
    const lines: string[] = []
    for await (const l of boundedLines(Readable.from([Buffer.from('ab\r\ncd\nef')]), 10)) {
      lines.push(l)
    }
    expect(lines).toEqual(['ab', 'cd', 'ef'])
    const endless = Readable.from(
      (function* () {
        for (let i = 0; i < 1000; i++) {
          yield Buffer.alloc(1024, 0x61)
        }
      })()
    )
    let yielded = 0
    await expect(
      (async () => {
        for await (const _ of boundedLines(endless, 8 * 1024)) {
          yielded += 1
        }
      })()
    ).rejects.toBeInstanceOf(LineTooLongError)
    expect(yielded).toBe(0)
  })

  it('lineBatches cuts whole lines, however the bytes arrive, and keeps the same bound', async () => {
    const text = 'l1\r\nline two\n\nl4 \u00e9\u4e2d\nlast'
    const bytes = Buffer.from(text, 'utf8')
    // Every split of the bytes into two chunks (a multi-byte character cut included).
    for (let cut = 0; cut <= bytes.length; cut++) {
      const batches = []
      for await (const batch of lineBatches(
        Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]),
        10,
        2
      )) {
        batches.push({ ...batch, text: Buffer.from(batch.bytes).toString('utf8') })
      }
      expect(batches.map((b) => [b.firstLine, b.lines, b.text])).toEqual([
        [1, 2, 'l1\r\nline two\n'],
        [3, 2, '\nl4 \u00e9\u4e2d\n'],
        [5, 1, 'last']
      ])
    }
    // A line of 11 bytes over a bound of 10 is refused with its number, split or not.
    for (const chunks of [['ok\n0123456789A\n'], ['ok\n01234', '56789A']]) {
      await expect(
        (async () => {
          for await (const _ of lineBatches(
            Readable.from(chunks.map((c) => Buffer.from(c))),
            10,
            5
          )) {
            // drain
          }
        })()
      ).rejects.toMatchObject({ name: 'LineTooLongError', lineNumber: 2 })
    }
  })
})

describe('the zip reader inflates each part exactly as declared', () => {
  /** Varied text (a few MB): what deflate does not shrink to nothing. */
  const varied = (lines: number): Buffer =>
    Buffer.from(
      Array.from(
        { length: lines },
        (_, i) => `{"Id":"${(i * 2654435761) % 4294967296}","n":${i},"x":"${i.toString(36)}"}\n`
      ).join(''),
      'utf8'
    )

  async function read(path: string, name: string): Promise<{ bytes: Buffer; pieces: number[] }> {
    const zip = await ZipReader.open(path)
    try {
      const pieces: Buffer[] = []
      for await (const piece of await zip.stream(name)) {
        pieces.push(piece as Buffer)
      }
      return { bytes: Buffer.concat(pieces), pieces: pieces.map((p) => p.length) }
    } finally {
      zip.close()
    }
  }

  it('gives back a large deflated part byte for byte, in pieces larger than 16 KB', async () => {
    const plain = varied(100_000)
    const path = await save(
      'large-part.zip',
      buildRawZip([deflatedEntry('records.ndjson', plain), deflatedEntry('small.txt', 'tiny')])
    )
    const { bytes, pieces } = await read(path, 'records.ndjson')
    expect(bytes.equals(plain)).toBe(true)
    expect(Math.max(...pieces)).toBeGreaterThan(16 * 1024)
    expect((await read(path, 'small.txt')).bytes.toString()).toBe('tiny')
  })

  it('reads a stored part as it is', async () => {
    const plain = varied(1000)
    const path = await save(
      'stored-part.zip',
      buildRawZip([{ name: 'records.ndjson', data: plain, method: 0, declaredSize: plain.length }])
    )
    expect((await read(path, 'records.ndjson')).bytes.equals(plain)).toBe(true)
  })

  it('refuses a part that inflates to fewer bytes than it declares', async () => {
    const plain = varied(1000)
    const entry = { ...deflatedEntry('records.ndjson', plain), declaredSize: plain.length + 1 }
    const path = await save('short-part.zip', buildRawZip([entry]))
    await expect(read(path, 'records.ndjson')).rejects.toThrow(
      `records.ndjson inflates to ${plain.length} bytes, fewer than the ${plain.length + 1} the zip declares`
    )
  })

  it('refuses a part that inflates to more bytes than it declares, within a byte of it', async () => {
    const plain = varied(100_000)
    const entry = { ...deflatedEntry('records.ndjson', plain), declaredSize: 100_000 }
    const path = await save('long-part.zip', buildRawZip([entry]))
    const zip = await ZipReader.open(path)
    try {
      const stream = await zip.stream('records.ndjson')
      await expect(
        (async () => {
          for await (const piece of stream) {
            void piece
          }
        })()
      ).rejects.toThrow('records.ndjson inflates to more than the 100000 bytes the zip declares')
      expect(zip.inflatedBytes).toBe(100_001)
    } finally {
      zip.close()
    }
  })
})
