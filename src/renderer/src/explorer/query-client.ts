/**
 * The UI side of the query worker: typed request/answer over postMessage, plus push events.
 */
import { WorkerRpcClient } from '../workers/worker-rpc-client'
import type { RpcWorkerLike } from '../workers/worker-rpc-client'

import type { LoadProgress, WorkerAnswers, WorkerRequest } from './query-types'

/** What the client needs of a Worker (a real one, or a fake in tests). */
export type WorkerLike = RpcWorkerLike<WorkerRequest, LoadProgress>

/** The query worker's client: loading progress and "records appended" are its pushes. */
export class QueryClient extends WorkerRpcClient<WorkerRequest, WorkerAnswers, LoadProgress> {
  constructor(worker: WorkerLike) {
    super(worker, 'query worker')
  }
}

/** Starts the query worker (bundled by Vite as its own module). */
export function startQueryWorker(): QueryClient {
  const worker = new Worker(new URL('./query-worker.ts', import.meta.url), { type: 'module' })
  return new QueryClient(worker as unknown as WorkerLike)
}

/** A query worker started before the Explorer mounted, and the last progress it pushed. */
export interface EarlyQueryWorker {
  client: QueryClient
  progress: LoadProgress | null
}

let early: (EarlyQueryWorker & { dbName: string; stopFollowing: () => void }) | null = null

/**
 * Starts the query worker and opens cache `dbName` in it while the page is still booting (the
 * app's settings, the first render), so the first rows are read by the time the Explorer mounts
 * (issue 11). The Explorer takes it with {@link takeEarlyQueryWorker}. `start` is for tests.
 */
export function prestartQueryWorker(
  dbName: string,
  start: () => QueryClient = startQueryWorker
): void {
  if (early) {
    return
  }
  const client = start()
  const entry = { dbName, client, progress: null as LoadProgress | null, stopFollowing: () => {} }
  entry.stopFollowing = client.onDidChange((_event, progress) => (entry.progress = progress))
  client.request({ type: 'open', dbName }).then(
    (progress) => (entry.progress = progress),
    // The Explorer's own open request reports the error.
    () => undefined
  )
  early = entry
}

/**
 * The worker {@link prestartQueryWorker} started for `dbName`, once, with the last progress it
 * pushed; null when none was started (a worker started for another cache is stopped).
 */
export function takeEarlyQueryWorker(dbName: string): EarlyQueryWorker | null {
  const taken = early
  early = null
  if (!taken) {
    return null
  }
  taken.stopFollowing()
  if (taken.dbName !== dbName) {
    taken.client.dispose()
    return null
  }
  return { client: taken.client, progress: taken.progress }
}

/** Stops the worker {@link prestartQueryWorker} started if nothing took it (another view first). */
export function discardEarlyQueryWorker(): void {
  const left = early
  early = null
  left?.stopFollowing()
  left?.client.dispose()
}
