import { describe, expect, it } from 'vitest'

import { decodeRecordLine, ndjsonExport, NdjsonLineError } from './ndjson-export'
import { testRecord } from './test-records'

describe('ndjsonExport', () => {
  it('round-trips the raw record byte for byte, with annotations', async () => {
    const pretty = testRecord('33333333-aaaa-4bbb-8ccc-000000000003')
    // A raw text with line breaks, odd spacing, unicode and escapes: exactly what a CSV AuditData held.
    pretty.raw = `{\r\n  "Id" : "33333333-aaaa-4bbb-8ccc-000000000003",\n\t"Name": "Zoë \\u00e9 ✓ 𝄞",\n  "CreationTime":"2026-05-19T13:17:34" }`
    const plain = testRecord('44444444-aaaa-4bbb-8ccc-000000000004')
    const exp = ndjsonExport([pretty, plain], (id) =>
      id === plain.id ? { tags: ['x'], comment: 'checked' } : undefined
    )
    let text = ''
    for await (const chunk of exp) {
      text += chunk
    }
    const lines = text.split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[2]).toBe('')
    const first = decodeRecordLine(lines[0] ?? '', 1)
    const second = decodeRecordLine(lines[1] ?? '', 2)
    const enc = new TextEncoder()
    expect(enc.encode(first.raw)).toEqual(enc.encode(pretty.raw))
    expect(second.raw).toBe(plain.raw)
    expect(first.annotation).toBeNull()
    expect(second.annotation).toEqual({ tags: ['x'], comment: 'checked' })
    expect(exp.summary).toEqual({ records: 2, annotated: 1, isComplete: true })
  })

  it('names the line of a bad record line', () => {
    expect(() => decodeRecordLine('{"id":"x"}', 7)).toThrow(NdjsonLineError)
    expect(() => decodeRecordLine('nope', 3)).toThrow(/line 3: not JSON/)
  })
})
