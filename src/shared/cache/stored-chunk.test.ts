import { describe, expect, it } from 'vitest'

import type { NormalizedRecord } from '../audit'
import { testRecord } from '../export/test-records'

import { packChunk, packRecords, selectRows, selectStoredRows, unpackChunk } from './packed-chunk'
import { PackedChunkError, readFrameLayout } from './packed-frame'
import {
  CHUNK_MAX_RECORDS,
  UnresolvedBodyError,
  bodyProvenance,
  bodyRaw,
  decodeChunk,
  encodeChunk,
  resolveBody
} from './record-chunk'
import {
  chunkToStore,
  isPackedColumns,
  keepPackedRows,
  readColumns,
  type PackedColumns,
  type StoredColumns
} from './stored-chunk'

function varied(n: number): NormalizedRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    ...testRecord(`rec-${i}`),
    recordType: i % 7 === 0 ? null : 256,
    succeeded: i % 3 === 0 ? null : i % 3 === 1,
    warnings: i % 4 === 0 ? ['repeated key: Foo'] : [],
    userId: i % 11 === 0 ? `zo\u00eb${i}@contoso.example` : `user${i % 9}@contoso.example`,
    resourceName: i % 13 === 0 ? `\u2018quoted\u2019 ${i}` : `flow ${i % 5}`,
    raw: `{"Id":"rec-${i}","Note":"caf\u00e9 \u{1F600} ${'x'.repeat(i % 50)}"}`,
    fields: { Id: `rec-${i}`, Note: `caf\u00e9 ${i}`, [`Only${i % 3}`]: 'v' },
    provenance:
      i % 2 === 0
        ? { source: 'f.csv', line: i + 2, rawSha256: 'ab'.repeat(32), csvCreationDate: null }
        : null
  }))
}

/** A Blob that records which byte ranges were read out of it (sliced, then read). */
class WatchedBlob extends Blob {
  readonly reads: [number, number][] = []
  override slice(start = 0, end = this.size): Blob {
    const part = super.slice(start, end)
    const reads = this.reads
    return Object.assign(part, {
      arrayBuffer: async () => {
        reads.push([start, end])
        return Blob.prototype.arrayBuffer.call(part)
      }
    })
  }
}

function blobOf(bytes: Uint8Array): Blob {
  return new Blob([bytes as Uint8Array<ArrayBuffer>])
}

function packed(columns: StoredColumns): PackedColumns {
  if (!isPackedColumns(columns)) {
    throw new Error('expected packed columns')
  }
  return columns
}

describe('chunks stored as they were packed', () => {
  it('keep the columns as bytes; read back, they are what unpacking gives, from bytes or a Blob', async () => {
    const records = varied(CHUNK_MAX_RECORDS + 40)
    const frames = packRecords(records)
    const decoded: NormalizedRecord[] = []
    for (const frame of frames) {
      const whole = unpackChunk(frame)
      for (const source of [frame, blobOf(frame)]) {
        const stored = await chunkToStore(source)
        const columns = packed(stored.columns)
        expect(columns.packed instanceof Blob).toBe(source instanceof Blob)
        expect(columns.count).toBe(whole.columns.count)
        expect(stored.ids).toEqual(whole.ids)
        expect(await readColumns(columns)).toEqual(whole.columns)
        expect(Array.from(stored.body.rawByteStarts!)).toEqual(
          Array.from(whole.body.rawByteStarts!)
        )
        if (source instanceof Blob) {
          expect(stored.body.provenanceBytes).toBeUndefined()
          expect(() => bodyRaw(stored.body, 0)).toThrow(UnresolvedBodyError)
          expect(() => bodyProvenance(stored.body, 0)).toThrow(UnresolvedBodyError)
        }
        const body = await resolveBody(stored.body)
        expect(body.provenanceBytes).toEqual(whole.body.provenanceBytes)
        expect(decodeChunk(await readColumns(columns), body)).toEqual(
          decodeChunk(whole.columns, whole.body)
        )
      }
      decoded.push(...decodeChunk(whole.columns, whole.body))
    }
    expect(decoded).toEqual(records)
  })

  it('reads only the header, the Ids and the raw-text offsets of a Blob', async () => {
    const [frame] = packRecords(varied(2000))
    const blob = new WatchedBlob([frame as Uint8Array<ArrayBuffer>])
    const stored = await chunkToStore(blob)
    const { places } = readFrameLayout(frame!, frame!.byteLength)
    const read = (name: string): boolean => {
      const place = places.get(name)!
      return blob.reads.some(([from, to]) => from < place.offset + place.bytes && to > place.offset)
    }
    // Past the first 64 KB read (the header), only the sections named are read.
    for (const name of ['pairKey', 'pairValue', 'pool', 'raw', 'provenance']) {
      expect(places.get(name)!.offset).toBeGreaterThan(64 * 1024)
      expect(read(name), name).toBe(false)
    }
    for (const name of ['ids', 'rawStarts']) {
      expect(read(name), name).toBe(true)
    }
    const readBytes = blob.reads.reduce((sum, [from, to]) => sum + to - from, 0)
    const named = ['ids', 'rawStarts'].reduce((sum, n) => sum + places.get(n)!.bytes, 0)
    expect(readBytes).toBeLessThanOrEqual(64 * 1024 + named)
    expect((packed(stored.columns).packed as Blob).size).toBe(places.get('raw')!.offset)
  })

  it('reads a header longer than the first read', async () => {
    const records = varied(300).map((record, i) => ({
      ...record,
      warnings: [`repeated key: ${'W'.repeat(400)}${i}`]
    }))
    const [frame] = packRecords(records)
    expect(new DataView(frame!.buffer).getUint32(8, true)).toBeGreaterThan(64 * 1024)
    const stored = await chunkToStore(blobOf(frame!))
    expect(decodeChunk(await readColumns(stored.columns), await resolveBody(stored.body))).toEqual(
      records
    )
  })

  it('refuses a frame that does not hold together before anything is stored', async () => {
    const [frame] = packRecords(varied(30))
    await expect(chunkToStore(new Blob([]))).rejects.toThrow(PackedChunkError)
    await expect(chunkToStore(new Uint8Array(64))).rejects.toThrow(/magic/)
    await expect(chunkToStore(frame!.subarray(0, frame!.byteLength - 100))).rejects.toThrow(
      PackedChunkError
    )
    const encoded = encodeChunk(varied(30))
    const fewerIds = packChunk({
      ...encoded,
      ids: { ...encoded.ids, ids: encoded.ids.ids.slice(1) }
    })
    await expect(chunkToStore(fewerIds)).rejects.toThrow(/ids section/)
  })

  it('finds damaged columns when they are read, naming the chunk', async () => {
    const [frame] = packRecords(varied(30))
    const stored = await chunkToStore(frame!)
    const columns = packed(stored.columns)
    const codes = readFrameLayout(frame!, frame!.byteLength).places.get('codes')!
    const bytes = (columns.packed as Uint8Array).slice()
    bytes.fill(0xff, codes.offset, codes.offset + 8)
    await expect(readColumns({ ...columns, n: 7, packed: bytes })).rejects.toThrow(
      /chunk 7 of the cache is damaged: a column code is outside the pool/
    )
    await expect(
      readColumns({ ...columns, packed: (columns.packed as Uint8Array).subarray(0, 5000) })
    ).rejects.toThrow(/runs past the stored columns/)
    await expect(readColumns({ ...columns, count: 29 })).rejects.toThrow(/holds 30 rows, not 29/)
  })

  it('leaves rows out by noting the ones kept: read back, the same as selecting them', async () => {
    const records = varied(300)
    const [frame] = packRecords(records)
    const whole = unpackChunk(frame!)
    const stored = await chunkToStore(blobOf(frame!))
    const first = [0, 2, 3, 10, 50, 51, 52, 200, 299]
    const picked = selectStoredRows(stored, first)
    const columns = packed(picked.columns)
    expect(Array.from(columns.keep!)).toEqual(first)
    expect(picked.ids.ids).toEqual(first.map((i) => records[i]!.id))
    const expected = selectRows(whole, first)
    expect(await readColumns(columns)).toEqual(expected.columns)
    expect(decodeChunk(await readColumns(columns), await resolveBody(picked.body))).toEqual(
      first.map((i) => records[i])
    )
    // The provenance stays one Blob, pointed into by row.
    expect(picked.body.provenanceBlob).toBe(stored.body.provenanceBlob)
    expect(Array.from(picked.body.provenanceRows!)).toEqual(first)
    // Selecting again composes with what was kept.
    const again = keepPackedRows(columns, [1, 4, 8])
    expect(Array.from(again.keep!)).toEqual([2, 50, 299])
    expect(await readColumns(again)).toEqual(selectRows(whole, [2, 50, 299]).columns)
    const twice = selectStoredRows(picked, [1, 4, 8])
    expect(Array.from(twice.body.provenanceRows!)).toEqual([2, 50, 299])
    expect(decodeChunk(await readColumns(twice.columns), await resolveBody(twice.body))).toEqual(
      [2, 50, 299].map((i) => records[i])
    )
    // All rows kept: the chunk as it is.
    expect(
      selectStoredRows(
        stored,
        records.map((_, i) => i)
      )
    ).toBe(stored)
  })

  it('refuses kept rows that are not rows of the chunk, in order', async () => {
    const [frame] = packRecords(varied(10))
    const columns = packed((await chunkToStore(frame!)).columns)
    await expect(readColumns({ ...columns, count: 2, keep: Uint32Array.of(3, 1) })).rejects.toThrow(
      /kept rows are not rows of it/
    )
    await expect(readColumns({ ...columns, count: 1, keep: Uint32Array.of(10) })).rejects.toThrow(
      /kept rows are not rows of it/
    )
  })
})
