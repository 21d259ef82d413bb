import { describe, expect, it } from 'vitest'

import { encodeJsonLines, EncodedRecordsWriter, pickEncoded } from './encoded-records'

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8')

describe('encoded records', () => {
  it('pickEncoded keeps exactly the chosen lines, in order, with their offsets', () => {
    const jsons = ['{"id":"a"}', '{"id":"bé"}', '{"id":"c"}', '{"id":"d"}', '{"id":"e"}']
    const all = encodeJsonLines(['a', 'bé', 'c', 'd', 'e'], jsons)
    expect(pickEncoded(all, () => true)).toBe(all)
    for (const keep of [[0, 2, 3], [1, 4], [4], [], [0, 1, 2, 3]]) {
      const picked = pickEncoded(all, (i) => keep.includes(i))
      expect(picked.ids).toEqual(keep.map((i) => all.ids[i]))
      expect(text(picked.ndjson)).toBe(keep.map((i) => `${jsons[i]}\n`).join(''))
      expect(picked.offsets).toHaveLength(keep.length + 1)
      picked.ids.forEach((_, k) => {
        const line = text(picked.ndjson.subarray(picked.offsets[k], picked.offsets[k + 1]))
        expect(line).toBe(`${jsons[keep[k] ?? -1]}\n`)
      })
    }
  })

  it('the writer grows past its scratch and hands out arrays of their own', () => {
    const big = 'x'.repeat(3 * 1024 * 1024)
    const writer = new EncodedRecordsWriter()
    writer.addJson('a', '{"id":"a"}')
    writer.addJson('b', JSON.stringify({ id: 'b', big }))
    const out = writer.finish()
    expect(out.ids).toEqual(['a', 'b'])
    expect(out.ndjson.byteOffset).toBe(0)
    expect(out.ndjson.buffer.byteLength).toBe(out.ndjson.byteLength)
    expect(text(out.ndjson)).toBe(`{"id":"a"}\n${JSON.stringify({ id: 'b', big })}\n`)
    // The next writer starts clean.
    const next = new EncodedRecordsWriter()
    next.addJson('c', '{"id":"c"}')
    expect(text(next.finish().ndjson)).toBe('{"id":"c"}\n')
  })
})
