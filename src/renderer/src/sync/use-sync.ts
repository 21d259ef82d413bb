import { useCallback, useEffect, useRef, useState } from 'react'

import {
  emptyLedger,
  type Ledger,
  type LedgerBlob,
  type LedgerQuery,
  type LedgerWindow
} from '../../../shared/acquisition'
import type { AppApi, SyncProgress, SyncSummary } from '../../../shared/ipc/contract'
import type { AppDb } from '../db/app-db'
import { commitPushedChunks, type CommitOutcome } from '../db/commit-outcome'

/** The state of the sync this window runs. */
export type SyncState =
  | { status: 'idle' }
  | { status: 'starting' }
  | { status: 'running'; jobId: string; progress: SyncProgress | null }
  | {
      status: 'finished'
      outcome: 'complete' | 'partial' | 'failed' | 'cancelled'
      summary: SyncSummary | null
      error: { code: string; message: string } | null
    }

/** Reads this tenant's ledger from the cache, the plan the engine resumes from. */
export async function loadLedger(db: AppDb, tenantId: string): Promise<Ledger> {
  const ledger = emptyLedger()
  const tenant = tenantId.toLowerCase()
  const [windows, blobs, queries] = await Promise.all([
    db.ledger('windows', tenant),
    db.ledger('blobs', tenant),
    db.ledger('queries', tenant)
  ])
  for (const row of windows) {
    ledger.windows[row.key] = row.entry as LedgerWindow
  }
  for (const row of blobs) {
    ledger.blobs[row.key] = row.entry as LedgerBlob
  }
  for (const row of queries) {
    ledger.queries[row.key] = row.entry as LedgerQuery
  }
  return ledger
}

/** What {@link useSync} gives the UI. */
export interface Sync {
  state: SyncState
  start: (input: SyncStartInput) => Promise<void>
  cancel: () => Promise<void>
  /** Increases after every committed batch and at the end of a sync. */
  ledgerVersion: number
  /** The range of the latest sync started in this window. */
  lastRange: { since: Date; until: Date } | null
  /** How many syncs this window has started (tells one sync's end from the next). */
  runs: number
}

/** What a sync needs to start. */
export interface SyncStartInput {
  profileId: string
  tenantId: string
  since: Date
  until: Date
  history: boolean
}

/** One id per window, so only the window that started a sync commits its batches. */
const CLIENT_ID = crypto.randomUUID()

/**
 * Runs syncs: starts a job with the cached ledger, commits every pushed batch together with its
 * ledger delta in one IndexedDB transaction, then acknowledges it (main waits for that before
 * sending more), and reports progress and the end.
 */
export function useSync(api: AppApi, db: AppDb, onCommitted?: () => void): Sync {
  const [state, setState] = useState<SyncState>({ status: 'idle' })
  const [ledgerVersion, setLedgerVersion] = useState(0)
  const [lastRange, setLastRange] = useState<{ since: Date; until: Date } | null>(null)
  const [runs, setRuns] = useState(0)
  const jobRef = useRef<string | null>(null)
  const committedRef = useRef(onCommitted)
  useEffect(() => {
    committedRef.current = onCommitted
  }, [onCommitted])

  useEffect(() => {
    // Batches are committed one after the other in the order they came; once one fails, the
    // ones already sent behind it are refused, so the cache never holds a later batch without an
    // earlier one (main may send the next batch before this window answered the previous).
    let chain: { jobId: string; done: Promise<boolean> } | null = null
    const offBatch = api.acquire.onDidProduceBatch((push) => {
      if (push.clientId !== CLIENT_ID) {
        return
      }
      const previous = chain?.jobId === push.jobId ? chain.done : Promise.resolve(true)
      const done = previous.then(async (isPreviousOk) => {
        const outcome: CommitOutcome = isPreviousOk
          ? await commitPushedChunks(db, push, push.ledger)
          : {
              ok: false,
              code: 'earlier-batch-failed',
              message: 'An earlier batch of this sync could not be stored.'
            }
        void api.acquire.ackBatch({ jobId: push.jobId, batchId: push.batchId, outcome })
        if (outcome.ok) {
          setLedgerVersion((v) => v + 1)
          committedRef.current?.()
        }
        return outcome.ok
      })
      chain = { jobId: push.jobId, done }
    })
    const offProgress = api.acquire.onDidProgress((event) => {
      if (event.clientId === CLIENT_ID && event.jobId === jobRef.current) {
        setState({ status: 'running', jobId: event.jobId, progress: event.progress })
      }
    })
    const offFinish = api.acquire.onDidFinish((event) => {
      if (event.clientId !== CLIENT_ID) {
        return
      }
      jobRef.current = null
      setLedgerVersion((v) => v + 1)
      setState({
        status: 'finished',
        outcome: event.status,
        summary: event.result,
        error: event.error
      })
    })
    return () => {
      offBatch()
      offProgress()
      offFinish()
    }
  }, [api, db])

  const start = useCallback(
    async (input: SyncStartInput) => {
      setState({ status: 'starting' })
      setRuns((n) => n + 1)
      setLastRange({ since: input.since, until: input.until })
      const ledger = await loadLedger(db, input.tenantId)
      const result = await api.acquire.start({
        profileId: input.profileId,
        clientId: CLIENT_ID,
        since: input.since.toISOString(),
        until: input.until.toISOString(),
        history: input.history,
        allRecords: false,
        ledger
      })
      if (!result.ok) {
        setState({ status: 'finished', outcome: 'failed', summary: null, error: result.error })
        return
      }
      jobRef.current = result.value.jobId
      setState((current) =>
        current.status === 'finished'
          ? current
          : { status: 'running', jobId: result.value.jobId, progress: null }
      )
    },
    [api, db]
  )

  const cancel = useCallback(async () => {
    if (jobRef.current) {
      await api.acquire.cancel({ jobId: jobRef.current })
    }
  }, [api])

  return { state, start, cancel, ledgerVersion, lastRange, runs }
}
