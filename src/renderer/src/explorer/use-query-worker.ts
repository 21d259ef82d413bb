import { useEffect, useRef, useState } from 'react'

import type { AppDb } from '../db/app-db'

import type { QueryClient } from './query-client'
import { queryWorkers } from './query-worker-keeper'
import type { LoadProgress } from './query-types'

export interface QueryWorkerState {
  /** The worker's client while the view lives. */
  clientRef: React.RefObject<QueryClient | null>
  progress: LoadProgress | null
  openError: string | null
  /** Moves on whenever the index changed (and on demand): what depends on the data re-reads. */
  dataVersion: number
  bumpDataVersion(): void
}

/**
 * Takes the window's query worker of the cache (query-worker-keeper.ts) while the view lives,
 * opens the cache in it and follows its loading progress and "records changed" pushes, throttled
 * so streaming commits do not re-query per batch; hands it back, still running, on unmount.
 */
export function useQueryWorker(db: AppDb): QueryWorkerState {
  const clientRef = useRef<QueryClient | null>(null)
  // -Infinity: the first change refreshes at once, however young the page (performance.now()
  // starts at 0 on a reload, and 0 here held the first progress back for 1.5 s).
  const lastRefresh = useRef(Number.NEGATIVE_INFINITY)
  const [progress, setProgress] = useState<LoadProgress | null>(null)
  const [openError, setOpenError] = useState<string | null>(null)
  const [dataVersion, setDataVersion] = useState(0)

  useEffect(() => {
    // The window's worker: started while the page booted (early.ts), kept from an earlier visit
    // or a commit since (ready at once), or new.
    const early = queryWorkers.take(db.name)
    const client = early.client
    clientRef.current = client
    // While records stream in (a sync, the first indexing) the grid, counts, facets and histogram
    // refresh at most once a second: the first change at once (first rows), the latest always
    // (a trailing refresh), and no re-query per committed batch competing with the commits.
    let trailing: ReturnType<typeof setTimeout> | undefined
    const refresh = (): void => {
      trailing = undefined
      lastRefresh.current = performance.now()
      setDataVersion((v) => v + 1)
    }
    const unsubscribe = client.onDidChange((event, next) => {
      setProgress(next)
      const wait = lastRefresh.current + (event === 'changed' ? 1000 : 1500) - performance.now()
      if (wait <= 0) {
        clearTimeout(trailing)
        refresh()
      } else if (event === 'changed') {
        trailing ??= setTimeout(refresh, wait)
      }
    })
    const earlyProgress = early.progress
    if (earlyProgress) {
      // Rows it has already loaded show at once (after this effect: no render from within it).
      queueMicrotask(() => {
        if (clientRef.current === client) {
          setProgress(earlyProgress)
          refresh()
        }
      })
    }
    client.request({ type: 'open', dbName: db.name }).then(
      (loaded) => {
        setProgress(loaded)
        setDataVersion((v) => v + 1)
      },
      (error: unknown) => setOpenError(error instanceof Error ? error.message : String(error))
    )
    return () => {
      clearTimeout(trailing)
      unsubscribe()
      queryWorkers.giveBack(client)
      clientRef.current = null
    }
  }, [db])

  return {
    clientRef,
    progress,
    openError,
    dataVersion,
    bumpDataVersion: () => setDataVersion((v) => v + 1)
  }
}
