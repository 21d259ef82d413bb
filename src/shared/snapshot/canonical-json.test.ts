import { describe, expect, it } from 'vitest'

import { canonicalJson } from './canonical-json'
import { subtleSha256Hex } from './sha256'
import { verifySnapshotObservations } from './verify-snapshot'

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[{"x":2,"y":1}]},"b":1}'
    )
  })
})

describe('verifySnapshotObservations', () => {
  it('reports a missing manifest and unexpected parts without throwing', async () => {
    const report = verifySnapshotObservations(
      {
        entryNames: ['records.ndjson', 'evil.exe', 'evil.exe'],
        manifestText: null,
        parts: new Map(),
        acquisitionLogText: null
      },
      () => ({ update: () => undefined, digestHex: () => '0'.repeat(64) })
    )
    expect(report.ok).toBe(false)
    expect(report.failures.map((f) => `${f.part}:${f.code}`)).toEqual([
      'evil.exe:part-duplicated',
      'manifest.json:manifest-missing',
      'evil.exe:part-unexpected'
    ])
    expect(await subtleSha256Hex(new Uint8Array())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    )
  })
})
