import { describe, expect, it } from 'vitest'

import type { AcquisitionLogEntryInfo } from '../../../shared/ipc/contract'

import { describeLogEntry } from './acquisition-log-text'

const base: AcquisitionLogEntryInfo = {
  seq: 1,
  at: '2026-12-05T15:40:12.000Z',
  actor: 'alex',
  action: 'import',
  source: 'purview.csv',
  parameters: {
    file: 'purview.csv',
    bytes: 1_630_000_000,
    sha256: 'ab'.repeat(32),
    format: 'purview-csv',
    status: 'complete',
    firstRecordAt: '2026-11-01T00:01:00.000Z',
    lastRecordAt: '2026-11-30T23:59:00.000Z'
  },
  counts: {
    rows: 1_000_000,
    stored: 995_001,
    duplicates: 4_999,
    duplicatesInFile: 4_999,
    alreadyCached: 0,
    rejected: 0
  },
  prevSha256: '0'.repeat(64)
}

describe('describeLogEntry', () => {
  it('spells out an import: file, hash, counts, span and outcome', () => {
    const text = describeLogEntry(base)
    expect(text.title).toBe('Imported purview.csv — complete')
    expect(text.when).toBe('2026-12-05 15:40 UTC by alex')
    expect(text.lines).toEqual([
      `1.5 GB · purview-csv · SHA-256 ${'ab'.repeat(32)}`,
      '1,000,000 rows read · 995,001 stored · 4,999 duplicates (4,999 within the file, 0 already cached) · 0 rejected',
      'Records from 2026-11-01 00:01 UTC to 2026-11-30 23:59 UTC'
    ])
  })

  it('says a cancelled import kept what it stored and was not hashed', () => {
    const text = describeLogEntry({
      ...base,
      parameters: {
        ...base.parameters,
        status: 'cancelled',
        sha256: null,
        error: 'import/cancelled'
      }
    })
    expect(text.title).toBe('Imported purview.csv — cancelled (what was stored is kept)')
    expect(text.lines[0]).toContain('SHA-256 not taken (not read to its end)')
    expect(text.status).toBe('cancelled')
  })

  it('shows other actions generically', () => {
    const text = describeLogEntry({ ...base, action: 'snapshot', counts: { records: 3 } })
    expect(text.title).toBe('snapshot: purview.csv')
    expect(text.lines).toEqual(['records 3'])
  })
})
