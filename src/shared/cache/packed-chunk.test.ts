import { describe, expect, it } from 'vitest'

import type { NormalizedRecord } from '../audit'
import { testRecord } from '../export/test-records'

import {
  packChunk,
  packRecords,
  packRecordsWithRaw,
  RawUtf8Builder,
  selectRows,
  unpackChunk
} from './packed-chunk'
import { hasC1Byte, PackedChunkError } from './packed-frame'
import { chunkToStore } from './stored-chunk'
import {
  CHUNK_MAX_RECORDS,
  bodyRaw,
  decodeChunk,
  encodeChunk,
  isNarrowValue,
  resolveBody,
  type EncodedChunk
} from './record-chunk'

/** A packed chunk as the browser shell's page receives it (a Blob). */
function blobOf(bytes: Uint8Array): Blob {
  return new Blob([bytes as Uint8Array<ArrayBuffer>])
}

/** The chunk of a packed frame with the body the browser shell's page stores (a Blob body). */
async function withBlobBody(bytes: Uint8Array): Promise<EncodedChunk> {
  return { ...unpackChunk(bytes), body: (await chunkToStore(blobOf(bytes))).body }
}

function makeRecord(overrides: Partial<NormalizedRecord> & { id: string }): NormalizedRecord {
  return { ...testRecord(overrides.id), ...overrides }
}

function varied(n: number): NormalizedRecord[] {
  return Array.from({ length: n }, (_, i) =>
    makeRecord({
      id: `rec-${i}`,
      recordType: i % 7 === 0 ? null : 256,
      userType: i % 5 === 0 ? null : 0,
      succeeded: i % 3 === 0 ? null : i % 3 === 1,
      isConnectorEvent: i % 2 === 0,
      warnings: i % 4 === 0 ? ['repeated key: Foo'] : [],
      userId: `user${i % 9}@contoso.example`,
      raw: `{"Id":"rec-${i}","Note":"caf\u00e9 \u{1F600} \\u00e9 ${'x'.repeat(i)}"}`,
      fields: { Id: `rec-${i}`, Note: `caf\u00e9 ${i}`, [`Only${i % 3}`]: 'v' },
      provenance:
        i % 2 === 0
          ? {
              source: i % 3 === 0 ? 'odd "name", [1].csv' : 'f.csv',
              line: i + 2,
              rawSha256: 'ab'.repeat(32),
              csvCreationDate: i % 6 === 0 ? '2026-05-01T00:00:00' : null
            }
          : null
    })
  ).map((record, i) => (i === 4 ? { ...record, createdAt: '2026-05-19T12:00:00' } : record))
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i])
}

describe('packed chunks (the hand-over from main to the window)', () => {
  it('give back exactly the records packed: columns, fields, raw text, provenance, warnings', () => {
    const records = varied(300)
    const [packed] = packRecords(records)
    const chunk = unpackChunk(packed!)
    expect(decodeChunk(chunk.columns, chunk.body)).toEqual(records)
    expect(chunk.ids.ids).toEqual(records.map((r) => r.id))
    // Typed arrays own their buffer: stored alone, never with the whole frame.
    expect(chunk.columns.times.buffer.byteLength).toBe(300 * 8)
  })

  it('keep lone surrogates in raw text and values as they are', () => {
    const records = [
      makeRecord({ id: 'lone', raw: '{"Id":"lone","X":"\ud800"}', fields: { X: 'a\udc00b' } })
    ]
    const chunk = unpackChunk(packChunk(encodeChunk(records)))
    expect(bodyRaw(chunk.body, 0)).toBe('{"Id":"lone","X":"\ud800"}')
    expect(decodeChunk(chunk.columns, chunk.body)[0]!.fields).toEqual({ X: 'a\udc00b' })
  })

  it('keep narrow values one byte a character in the pool and wider ones in their own text', () => {
    const wide = ['İstanbul', '’quoted’', 'emoji \u{1F600}', 'c1 \u0085 control', 'Zoë ‒ dash']
    const narrow = ['Zoë Dubois', 'Ærø', 'plain ascii', 'ÿ end']
    const records = Array.from({ length: 40 }, (_, i) =>
      makeRecord({
        id: `rec-${i}`,
        userId: wide[i % wide.length]!,
        resourceName: narrow[i % narrow.length]!,
        fields: { A: wide[(i + 1) % wide.length]!, B: narrow[(i + 2) % narrow.length]!, C: `${i}` }
      })
    )
    const encoded = encodeChunk(records)
    expect(decodeChunk(encoded.columns, encoded.body)).toEqual(records)
    const { pool, widePool } = encoded.columns
    expect(pool.split('\u0000').every((value) => isNarrowValue(value))).toBe(true)
    for (const value of narrow) {
      expect(pool.split('\u0000')).toContain(value)
    }
    expect(widePool?.split('\u0000').slice(0, -1).sort()).toEqual([...wide].sort())
    // The pool travels a byte a character; the wide values as UTF-8.
    const packed = packChunk(encoded)
    const headerBytes = new DataView(packed.buffer).getUint32(8, true)
    const header = JSON.parse(new TextDecoder().decode(packed.subarray(12, 12 + headerBytes))) as {
      sections: { name: string; kind: string; bytes: number }[]
    }
    const kinds = Object.fromEntries(header.sections.map((section) => [section.name, section]))
    expect(kinds['pool']).toMatchObject({ kind: 'latin1', bytes: pool.length })
    expect(kinds['widePool']?.kind).toBe('utf8')
    const chunk = unpackChunk(packed)
    expect(chunk.columns.pool).toBe(pool)
    expect(chunk.columns.widePool).toBe(widePool)
    expect(decodeChunk(chunk.columns, chunk.body)).toEqual(records)
    // Records with only narrow values have no wide text at all.
    const plain = encodeChunk(varied(10).map((record) => ({ ...record, raw: '{}' })))
    expect(plain.columns.widePool).toBeUndefined()
    expect(decodeChunk(unpackChunk(packChunk(plain)).columns, plain.body)).toEqual(
      decodeChunk(plain.columns, plain.body)
    )
  })

  it('refuse a one-byte pool holding a byte no narrow value has (0x80–0x9F)', () => {
    const packed = packChunk(encodeChunk([makeRecord({ id: 'a', resourceName: 'Zoë' })]))
    const headerBytes = new DataView(packed.buffer).getUint32(8, true)
    const header = JSON.parse(new TextDecoder().decode(packed.subarray(12, 12 + headerBytes))) as {
      sections: { name: string; kind: string; bytes: number }[]
    }
    let offset = (12 + headerBytes + 7) & ~7
    for (const section of header.sections) {
      if (section.name === 'pool') {
        expect(section.kind).toBe('latin1')
        break
      }
      offset += (section.bytes + 7) & ~7
    }
    expect(unpackChunk(packed).columns.pool).toContain('Zoë')
    const bad = packed.slice()
    bad[offset] = 0x80
    expect(() => unpackChunk(bad)).toThrow(/one-byte pool/)
  })

  it('find a byte 0x80–0x9F wherever it lies: before, in and after the whole words', () => {
    const buffer = new Uint8Array(64).fill(0x61)
    // Views starting off a 4-byte boundary and ending inside a word.
    for (const [from, to] of [
      [0, 64],
      [1, 62],
      [3, 33],
      [5, 6]
    ] as const) {
      const view = buffer.subarray(from, to)
      expect(hasC1Byte(view)).toBe(false)
      for (let at = 0; at < view.byteLength; at++) {
        for (const [byte, isC1] of [
          [0x7f, false],
          [0x80, true],
          [0x9f, true],
          [0xa0, false],
          [0xff, false]
        ] as const) {
          view[at] = byte
          expect(hasC1Byte(view)).toBe(isC1)
          view[at] = 0x61
        }
      }
    }
    // A byte just outside the view is not the view's.
    buffer[0] = 0x80
    expect(hasC1Byte(buffer.subarray(1))).toBe(false)
    expect(hasC1Byte(new Uint8Array(0))).toBe(false)
  })

  it('refuse a pool whose offsets put a value across the one-byte and the wide text', () => {
    const encoded = encodeChunk([
      makeRecord({ id: 'a', userId: 'İstanbul', resourceName: 'plain' })
    ])
    const { pool, widePool, poolStarts } = encoded.columns
    expect(widePool).toBe('İstanbul\u0000')
    // Move the last narrow value's end into the wide text.
    const starts = poolStarts.slice()
    const last = starts.indexOf(pool.length)
    starts[last] = pool.length + 2
    const bad = packChunk({ ...encoded, columns: { ...encoded.columns, poolStarts: starts } })
    expect(() => unpackChunk(bad)).toThrow(/pool does not match its offsets/)
  })

  it('split batches into chunks of at most CHUNK_MAX_RECORDS', () => {
    const packed = packRecords(varied(CHUNK_MAX_RECORDS + 5))
    expect(packed.map((p) => unpackChunk(p).columns.count)).toEqual([CHUNK_MAX_RECORDS, 5])
    expect(packRecords([])).toEqual([])
  })

  it('refuse damaged or foreign bytes with a reason', () => {
    const packed = packChunk(encodeChunk(varied(20)))
    expect(() => unpackChunk(new Uint8Array(0))).toThrow(PackedChunkError)
    expect(() => unpackChunk(new Uint8Array(64))).toThrow(/magic/)
    expect(() => unpackChunk(packed.subarray(0, packed.byteLength - 100))).toThrow(PackedChunkError)
    // A code pointing past the pool.
    const bad = packed.slice()
    const view = new DataView(bad.buffer)
    const headerBytes = view.getUint32(8, true)
    const header = JSON.parse(new TextDecoder().decode(bad.subarray(12, 12 + headerBytes))) as {
      sections: { name: string; bytes: number }[]
    }
    let offset = (12 + headerBytes + 7) & ~7
    for (const section of header.sections) {
      if (section.name === 'codes') {
        bad[offset] = 0xff
        bad[offset + 1] = 0xff
        break
      }
      offset += (section.bytes + 7) & ~7
    }
    expect(() => unpackChunk(bad)).toThrow(/outside the pool/)
  })

  it('store field key codes a byte each up to 256 keys, two bytes beyond, and read both back', () => {
    // Record i has fields k0…k{i}: `keys` distinct keys over the chunk.
    const withKeys = (keys: number): NormalizedRecord[] =>
      Array.from({ length: keys }, (_, i) =>
        makeRecord({
          id: `rec-${i}`,
          fields: Object.fromEntries(
            Array.from({ length: Math.min(i + 1, 3) }, (_, k) => [`k${i - k}`, `v${k}`])
          )
        })
      )
    for (const [keys, kind] of [
      [256, Uint8Array],
      [257, Uint16Array]
    ] as const) {
      const records = withKeys(keys)
      const encoded = encodeChunk(records)
      expect(encoded.columns.keys.length).toBe(keys)
      expect(encoded.columns.pairKey).toBeInstanceOf(kind)
      const chunk = unpackChunk(packChunk(encoded))
      expect(chunk.columns.pairKey).toBeInstanceOf(kind)
      expect(decodeChunk(chunk.columns, chunk.body)).toEqual(records)
      const picked = selectRows(chunk, [0, keys - 1])
      expect(picked.columns.pairKey).toBeInstanceOf(kind)
      expect(decodeChunk(picked.columns, picked.body)).toEqual([records[0], records[keys - 1]])
    }
  })

  it('select rows without re-encoding, fields and bodies following their record', () => {
    const records = varied(12)
    const chunk = unpackChunk(packChunk(encodeChunk(records)))
    const picked = selectRows(chunk, [1, 4, 8, 11])
    expect(decodeChunk(picked.columns, picked.body)).toEqual([1, 4, 8, 11].map((i) => records[i]))
    expect(picked.ids.ids).toEqual(['rec-1', 'rec-4', 'rec-8', 'rec-11'])
    // The kept raw texts stay bytes: copied as ranges, not decoded and encoded again.
    expect(picked.body.rawBytes).toBeInstanceOf(Uint8Array)
    expect(picked.body.text).toBeUndefined()
    // So does the provenance: the kept elements of its JSON array, byte for byte.
    expect(JSON.parse(new TextDecoder().decode(picked.body.provenanceBytes))).toEqual(
      [1, 4, 8, 11].map((i) => records[i]!.provenance)
    )
    expect(
      selectRows(
        chunk,
        records.map((_, i) => i)
      )
    ).toBe(chunk)
  })

  it('keep the raw texts as the UTF-8 bytes main encoded, each record read by its byte offsets', () => {
    const records = varied(40)
    const chunk = unpackChunk(packChunk(encodeChunk(records)))
    const { rawBytes, rawByteStarts } = chunk.body
    expect(chunk.body.text).toBeUndefined()
    expect(rawBytes).toBeInstanceOf(Uint8Array)
    // Byte for byte what TextEncoder makes of every raw text, one after another.
    const expected = new TextEncoder().encode(records.map((r) => r.raw).join(''))
    expect(sameBytes(rawBytes!, expected)).toBe(true)
    // Non-ASCII text (é, an emoji) makes byte offsets differ from string offsets.
    expect(rawByteStarts![1]).toBe(new TextEncoder().encode(records[0]!.raw).byteLength)
    expect(records.map((_, i) => bodyRaw(chunk.body, i))).toEqual(records.map((r) => r.raw))
    // Packing an unpacked chunk again gives the same bytes (nothing decoded on the way).
    expect(sameBytes(packChunk(chunk), packChunk(encodeChunk(records)))).toBe(true)
  })

  it('from raw texts already in UTF-8: the same bytes as packing the records with their texts', () => {
    // Over a chunk boundary, with non-ASCII texts, an emoji and an empty text.
    const records = varied(CHUNK_MAX_RECORDS + 7).map((record, i) =>
      i % 10 === 0 ? record : { ...record, raw: i === 3 ? '' : record.raw.slice(0, 40 + (i % 50)) }
    )
    const builder = new RawUtf8Builder()
    records.forEach((record, i) => {
      if (i % 2 === 0) {
        builder.addText(record.raw)
      } else {
        // As read from a file: the bytes of the text inside a larger buffer.
        const bytes = new TextEncoder().encode(`,,${record.raw},`)
        builder.addBytes(bytes, 2, bytes.byteLength - 1)
      }
    })
    expect(builder.hasLoneSurrogate).toBe(false)
    const provenance = records.map((record) => record.provenance)
    const blank = records.map((record) => ({ ...record, raw: '', provenance: null }))
    const fast = packRecordsWithRaw(blank, builder.finish(), provenance)
    const slow = packRecords(records)
    expect(fast).toHaveLength(2)
    fast.forEach((packed, k) => expect(sameBytes(packed, slow[k]!)).toBe(true))
    const last = unpackChunk(fast[1]!)
    expect(decodeChunk(last.columns, last.body)).toEqual(records.slice(CHUNK_MAX_RECORDS))
  })

  it('collect raw UTF-8 past its first megabyte, and notice a lone surrogate', () => {
    const builder = new RawUtf8Builder()
    const big = 'é'.repeat(700_000)
    builder.addText(big)
    builder.addText('x')
    const { bytes, starts } = builder.finish()
    expect([...starts]).toEqual([0, 1_400_000, 1_400_001])
    expect(new TextDecoder().decode(bytes.subarray(0, 1_400_000))).toBe(big)
    builder.addText('a\ud800')
    expect(builder.hasLoneSurrogate).toBe(true)
    expect(() => packRecordsWithRaw(varied(2), builder.finish(), [null, null])).toThrow(
      PackedChunkError
    )
  })

  it('select rows of a Blob body: few dropped, the whole Blob kept; most dropped, the kept slices', async () => {
    const records = varied(40)
    const chunk = await withBlobBody(packChunk(encodeChunk(records)))
    const whole = chunk.body.rawBlob!
    const rawOf = (rows: readonly number[]): Uint8Array =>
      new TextEncoder().encode(rows.map((i) => records[i]!.raw).join(''))
    // A few duplicates dropped: the same Blob, pointed into (no slicing in the page).
    const most = records.map((_, i) => i).filter((i) => i % 9 !== 4)
    const picked = selectRows(chunk, most)
    expect(picked.body.rawBlob).toBe(whole)
    expect(picked.body.rawByteEnds).toBeInstanceOf(Uint32Array)
    const resolved = await resolveBody(picked.body)
    expect(decodeChunk(picked.columns, resolved)).toEqual(most.map((i) => records[i]))
    // Packed again (a resolved body with ends): the kept texts end to end.
    const repacked = unpackChunk(packChunk({ ...picked, body: resolved }))
    expect(sameBytes(repacked.body.rawBytes!, rawOf(most))).toBe(true)
    expect(decodeChunk(repacked.columns, repacked.body)).toEqual(most.map((i) => records[i]))
    // Selected again: its ends are followed.
    const again = selectRows({ ...picked, body: resolved }, [0, 3, 30])
    expect(decodeChunk(again.columns, again.body)).toEqual([0, 3, 30].map((i) => records[most[i]!]))
    // Most rows dropped: only the kept texts are stored, as slices (runs merged).
    const few = [0, 1, 2, 7, 8, 20, 39]
    const small = selectRows(chunk, few)
    expect(small.body.rawBlob).toBeInstanceOf(Blob)
    expect(small.body.rawBlob).not.toBe(whole)
    expect(small.body.rawByteEnds).toBeUndefined()
    const smallResolved = await resolveBody(small.body)
    expect(decodeChunk(small.columns, smallResolved)).toEqual(few.map((i) => records[i]))
    expect(sameBytes(smallResolved.rawBytes!, rawOf(few))).toBe(true)
  })

  it('refuse raw offsets that do not match the raw bytes', () => {
    const packed = packChunk(encodeChunk(varied(3)))
    const view = new DataView(packed.buffer)
    const headerLength = view.getUint32(8, true)
    const header = JSON.parse(new TextDecoder().decode(packed.subarray(12, 12 + headerLength))) as {
      sections: { name: string; bytes: number }[]
    }
    let offset = (12 + headerLength + 7) & ~7
    for (const section of header.sections) {
      if (section.name === 'rawStarts') {
        // The last offset (the raw section's length) one byte short.
        view.setUint32(offset + 12, view.getUint32(offset + 12, true) - 1, true)
      }
      offset += (section.bytes + 7) & ~7
    }
    expect(() => unpackChunk(packed)).toThrow(/raw text does not match its offsets/)
  })
})
