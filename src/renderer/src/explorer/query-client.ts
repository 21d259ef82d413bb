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
