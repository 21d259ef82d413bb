import { useEffect, useRef, useState } from 'react'

import type { AppDb } from '../db/app-db'

import { RefreshPacer } from '../workers/refresh-pacer'

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
 * opens the cache in it and follows its loading progress and "records changed" pushes, paced
 * (refresh-pacer.ts) so neither an opening nor streaming commits re-query per message; hands it
 * back, still running, on unmount.
 */
export function useQueryWorker(db: AppDb): QueryWorkerState {
  const clientRef = useRef<QueryClient | null>(null)
  const [progress, setProgress] = useState<LoadProgress | null>(null)
  const [openError, setOpenError] = useState<string | null>(null)
  const [dataVersion, setDataVersion] = useState(0)

  useEffect(() => {
    // The window's worker: started while the page booted (early.ts), kept from an earlier visit
    // or a commit since (ready at once), or new.
    const early = queryWorkers.take(db.name)
    const client = early.client
    clientRef.current = client
    // What depends on the data re-reads when the pacer says (refresh-pacer.ts): at most once a
    // second while records stream in, further and further apart while the cache is opened.
    const pacer = new RefreshPacer(() => setDataVersion((v) => v + 1))
    const unsubscribe = client.onDidChange((event, next) => {
      setProgress(next)
      pacer.note(event, next ?? undefined)
    })
    const earlyProgress = early.progress
    if (earlyProgress) {
      // Rows it has already loaded show at once (after this effect: no render from within it).
      queueMicrotask(() => {
        if (clientRef.current === client) {
          setProgress(earlyProgress)
          pacer.refreshNow()
        }
      })
    }
    client.request({ type: 'open', dbName: db.name }).then(
      (loaded) => {
        setProgress(loaded)
        pacer.refreshNow()
      },
      (error: unknown) => setOpenError(error instanceof Error ? error.message : String(error))
    )
    return () => {
      pacer.dispose()
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
