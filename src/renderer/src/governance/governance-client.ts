/**
 * The UI side of the governance worker: typed request/answer over postMessage, plus pushes.
 */
import type { GovernanceProgress } from './governance-engine'
import type {
  GovernanceAnswers,
  GovernanceMessage,
  GovernanceRequest,
  GovernanceRequestType
} from './governance-types'

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
type RequestOf<T extends GovernanceRequestType> = DistributiveOmit<
  Extract<GovernanceRequest, { type: T }>,
  'reqId'
>

/** What the client needs of a Worker. */
export interface GovernanceWorkerLike {
  postMessage(message: GovernanceRequest): void
  addEventListener(
    type: 'message',
    listener: (event: MessageEvent<GovernanceMessage>) => void
  ): void
  terminate(): void
}

export class GovernanceClient {
  private nextId = 1
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >()
  private readonly listeners = new Set<
    (event: 'progress' | 'changed', progress: GovernanceProgress) => void
  >()

  constructor(private readonly worker: GovernanceWorkerLike) {
    worker.addEventListener('message', (event) => {
      const message = event.data
      if (message.type === 'answer') {
        const waiter = this.pending.get(message.reqId)
        this.pending.delete(message.reqId)
        if (message.ok) {
          waiter?.resolve(message.value)
        } else {
          waiter?.reject(new Error(message.error))
        }
        return
      }
      this.listeners.forEach((listener) => listener(message.type, message.progress))
    })
  }

  /** Sends one request and resolves with its typed answer. */
  request<T extends GovernanceRequestType>(
    request: RequestOf<T> & { type: T }
  ): Promise<GovernanceAnswers[T]> {
    const reqId = this.nextId++
    return new Promise<GovernanceAnswers[T]>((resolve, reject) => {
      this.pending.set(reqId, { resolve: resolve as (value: unknown) => void, reject })
      this.worker.postMessage({ ...request, reqId } as GovernanceRequest)
    })
  }

  /** Folding progress and "the cache changed" pushes; returns the unsubscribe. */
  onDidChange(
    listener: (event: 'progress' | 'changed', progress: GovernanceProgress) => void
  ): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  dispose(): void {
    this.worker.terminate()
    this.pending.forEach((waiter) => waiter.reject(new Error('The governance worker was stopped.')))
    this.pending.clear()
  }
}

/** Starts the governance worker (bundled by Vite as its own module). */
export function startGovernanceWorker(): GovernanceClient {
  const worker = new Worker(new URL('./governance-worker.ts', import.meta.url), {
    type: 'module'
  })
  return new GovernanceClient(worker as unknown as GovernanceWorkerLike)
}
