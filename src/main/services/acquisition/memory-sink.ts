import { applyDelta, emptyLedger } from '../../../shared/acquisition'
import type { Ledger, LedgerDelta } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'

import type { RecordSink } from './types'

/** A {@link RecordSink} in memory, keyed by Id with a duplicate count (tests, previews). */
export class MemorySink implements RecordSink {
  readonly records = new Map<string, NormalizedRecord>()
  readonly duplicates = new Map<string, number>()
  private readonly state: Ledger = emptyLedger()
  commits = 0

  /** Stores new Ids, counts repeats. */
  async commit(batch: {
    records: NormalizedRecord[]
    ledger: LedgerDelta
  }): Promise<{ new: number; duplicates: number }> {
    let fresh = 0
    let dup = 0
    for (const r of batch.records) {
      if (this.records.has(r.id)) {
        dup++
        this.duplicates.set(r.id, (this.duplicates.get(r.id) ?? 0) + 1)
      } else {
        fresh++
        this.records.set(r.id, r)
      }
    }
    applyDelta(this.state, structuredClone(batch.ledger))
    this.commits++
    return { new: fresh, duplicates: dup }
  }

  /** A copy of the ledger. */
  async loadLedger(): Promise<Ledger> {
    return structuredClone(this.state)
  }
}
