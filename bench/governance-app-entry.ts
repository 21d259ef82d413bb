// The measured code of governance-app.bench.mjs (bundled by it with Vite, run under Node), over
// the records of governance-records.mjs (the same as governance.bench.mjs): the app's governance
// fold over the cache's own column chunks — exactly what the governance worker runs — and, from
// the same chunks, the floor any fold pays: splitting each chunk's string pool and reading every
// stored column of every record.
import { normalizeRecord } from '../src/shared/audit'
import { GovernanceFold } from '../src/shared/governance'
import {
  encodeChunk,
  STORED_TEXT_COLUMNS,
  type ColumnChunk
} from '../src/renderer/src/db/record-chunk'
import { foldChunk } from '../src/renderer/src/governance/governance-engine'

import { governanceRecords } from './governance-records.mjs'

/** Generates `rows` records and encodes them as the cache's column chunks (not measured). */
export function makeChunks(rows: number): ColumnChunk[] {
  const chunks: ColumnChunk[] = []
  let batch = []
  for (const value of governanceRecords(rows)) {
    const result = normalizeRecord(JSON.stringify(value))
    if (!result.ok) {
      throw new Error(result.reason)
    }
    batch.push(result.record)
    if (batch.length === 4096) {
      chunks.push(encodeChunk(batch).columns)
      batch = []
    }
  }
  if (batch.length > 0) {
    chunks.push(encodeChunk(batch).columns)
  }
  return chunks
}

/** The floor: every stored text column of every record read from the chunks, nothing folded. */
export function readFloor(chunks: readonly ColumnChunk[]): number {
  let total = 0
  for (const chunk of chunks) {
    const values = chunk.pool.split('\u0000')
    for (let slot = 0; slot < STORED_TEXT_COLUMNS.length; slot++) {
      for (let i = 0; i < chunk.count; i++) {
        total += values[chunk.codes[slot * chunk.count + i]!]!.length
      }
    }
  }
  return total
}

/** The governance worker's fold, then its overview (resource rows and findings). */
export function fold(chunks: readonly ColumnChunk[]): {
  foldMs: number
  overviewMs: number
  resources: number
  findings: number
} {
  const t0 = performance.now()
  const governance = new GovernanceFold()
  for (const chunk of chunks) {
    foldChunk(governance, chunk)
  }
  const t1 = performance.now()
  const rows = governance.rows()
  const findings = governance.findings()
  const t2 = performance.now()
  return {
    foldMs: t1 - t0,
    overviewMs: t2 - t1,
    resources: rows.length,
    findings: findings.reduce((n, f) => n + f.count, 0)
  }
}
