/**
 * The UI side of the governance worker: typed request/answer over postMessage, plus pushes.
 */
import { WorkerRpcClient } from '../workers/worker-rpc-client'
import type { RpcWorkerLike } from '../workers/worker-rpc-client'

import type { GovernanceProgress } from './governance-engine'
import type { GovernanceAnswers, GovernanceRequest } from './governance-types'

/** What the client needs of a Worker. */
export type GovernanceWorkerLike = RpcWorkerLike<GovernanceRequest, GovernanceProgress>

/** The governance worker's client: folding progress and "the cache changed" are its pushes. */
export class GovernanceClient extends WorkerRpcClient<
  GovernanceRequest,
  GovernanceAnswers,
  GovernanceProgress
> {
  constructor(worker: GovernanceWorkerLike) {
    super(worker, 'governance worker')
  }
}

/** Starts the governance worker (bundled by Vite as its own module). */
export function startGovernanceWorker(): GovernanceClient {
  const worker = new Worker(new URL('./governance-worker.ts', import.meta.url), {
    type: 'module'
  })
  return new GovernanceClient(worker as unknown as GovernanceWorkerLike)
}
