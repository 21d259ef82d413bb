/**
 * The UI side of the query worker: typed request/answer over postMessage, plus push events.
 */
import type {
  LoadProgress,
  WorkerAnswers,
  WorkerMessage,
  WorkerRequest,
  WorkerRequestType
} from './query-types'

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
type RequestOf<T extends WorkerRequestType> = DistributiveOmit<
  Extract<WorkerRequest, { type: T }>,
  'reqId'
>

/** What the client needs of a Worker (a real one, or a fake in tests). */
export interface WorkerLike {
  postMessage(message: WorkerRequest): void
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerMessage>) => void): void
  terminate(): void
}

export class QueryClient {
  private nextId = 1
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >()
  private readonly listeners = new Set<(event: 'progress' | 'changed', p: LoadProgress) => void>()

  constructor(private readonly worker: WorkerLike) {
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
  request<T extends WorkerRequestType>(
    request: RequestOf<T> & { type: T }
  ): Promise<WorkerAnswers[T]> {
    const reqId = this.nextId++
    return new Promise<WorkerAnswers[T]>((resolve, reject) => {
      this.pending.set(reqId, { resolve: resolve as (value: unknown) => void, reject })
      this.worker.postMessage({ ...request, reqId } as WorkerRequest)
    })
  }

  /** Loading progress and "new records were appended" pushes; returns the unsubscribe. */
  onDidChange(
    listener: (event: 'progress' | 'changed', progress: LoadProgress) => void
  ): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  dispose(): void {
    this.worker.terminate()
    this.pending.forEach((waiter) => waiter.reject(new Error('The query worker was stopped.')))
    this.pending.clear()
  }
}

/** Starts the query worker (bundled by Vite as its own module). */
export function startQueryWorker(): QueryClient {
  const worker = new Worker(new URL('./query-worker.ts', import.meta.url), { type: 'module' })
  return new QueryClient(worker as unknown as WorkerLike)
}
