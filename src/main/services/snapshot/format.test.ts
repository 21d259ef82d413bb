import { describe, expect, it } from 'vitest'

import {
  buildManifest,
  checkLogChain,
  encodeLogEntry,
  GENESIS_SHA256,
  nextLogEntry,
  parseManifest,
  subtleSha256Hex
} from '../../../shared/snapshot'
import type { AcquisitionLogEntry } from '../../../shared/snapshot'

import { nodeSha256 as sha256 } from './node-sha256'

function chainOf(n: number): AcquisitionLogEntry[] {
  const chain: AcquisitionLogEntry[] = []
  for (let i = 0; i < n; i++) {
    chain.push(
      nextLogEntry(
        chain,
        {
          at: `2026-05-19T1${i}:00:00.000Z`,
          actor: 'auditor@contoso.example',
          action: 'import',
          source: `file-${i}.csv`,
          parameters: { format: 'purview-csv' },
          counts: { records: i, rejected: 0 }
        },
        sha256
      )
    )
  }
  return chain
}

const text = (entries: AcquisitionLogEntry[]): string =>
  entries.map((e) => `${encodeLogEntry(e)}\n`).join('')

describe('acquisition log chain', () => {
  it('accepts a chain it built', () => {
    const chain = chainOf(3)
    expect(chain[0]?.prevSha256).toBe(GENESIS_SHA256)
    const result = checkLogChain(text(chain), sha256)
    expect(result.problems).toEqual([])
    expect(result.entries).toHaveLength(3)
  })

  it('names the break after an edited entry', () => {
    const chain = chainOf(3)
    const edited = text(chain).replace('file-0.csv', 'file-X.csv')
    const result = checkLogChain(edited, sha256)
    expect(result.problems.map((p) => p.line)).toEqual([2])
    expect(result.problems[0]?.message).toMatch(/entry 2 does not chain to entry 1/)
  })

  it('names reordered and removed entries', () => {
    const chain = chainOf(3)
    const reordered = checkLogChain(text([chain[0]!, chain[2]!, chain[1]!]), sha256)
    expect(reordered.problems.some((p) => /seq 3/.test(p.message))).toBe(true)
    const removed = checkLogChain(text([chain[1]!, chain[2]!]), sha256)
    expect(removed.problems[0]?.line).toBe(1)
  })

  it('rejects non-canonical or malformed lines without throwing', () => {
    const chain = chainOf(1)
    const spaced = `${JSON.stringify(chain[0], null, 0).replace(':', ': ')}\n`
    expect(checkLogChain(spaced, sha256).problems[0]?.message).toMatch(/canonical/)
    expect(checkLogChain('nope\n', sha256).problems[0]?.message).toMatch(/not JSON/)
  })
})

describe('manifest', () => {
  const body = {
    appVersion: '0.1.0',
    createdAt: '2026-05-19T00:00:00.000Z',
    recordCount: 2,
    annotationCount: 0,
    ledgerEntryCount: 0,
    acquisitionLogEntryCount: 0,
    acquisitionLogHeadSha256: GENESIS_SHA256,
    parts: [{ name: 'records.ndjson', size: 10, sha256: 'a'.repeat(64) }]
  }

  it('round-trips and detects edits, reformatting and newer versions', () => {
    const { text: t } = buildManifest(body, sha256)
    expect(parseManifest(t, sha256)).toMatchObject({ ok: true, problems: [] })
    const edited = parseManifest(t.replace('"recordCount":2', '"recordCount":3'), sha256)
    expect(edited.ok && edited.problems[0]).toMatch(/does not match its own SHA-256/)
    const pretty = parseManifest(JSON.stringify(JSON.parse(t), null, 2), sha256)
    expect(pretty.ok && pretty.problems[0]).toMatch(/canonical/)
    const newer = parseManifest(t.replace('"formatVersion":1', '"formatVersion":9'), sha256)
    expect(newer.ok).toBe(false)
    expect(parseManifest('{', sha256).ok).toBe(false)
  })

  it('WebCrypto and the port agree', async () => {
    const bytes = new TextEncoder().encode('abc')
    const h = sha256()
    h.update(bytes)
    expect(await subtleSha256Hex(bytes)).toBe(h.digestHex())
  })
})
