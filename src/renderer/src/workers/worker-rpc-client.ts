/**
 * The UI side of a worker that answers requests: each request gets an id, the worker's answer
 * with that id resolves (or rejects) it, and the worker's pushes (progress, "changed") go to
 * the listeners. The query worker and the governance worker both speak this.
 */

/** What a worker sends back: an answer to one request, or a push. */
export type WorkerRpcMessage<P> =
  | { type: 'answer'; reqId: number; ok: true; value: unknown }
  | { type: 'answer'; reqId: number; ok: false; error: string }
  | { type: 'progress'; progress: P }
  | { type: 'changed'; progress: P }

/** What the client needs of a Worker (a real one, or a fake in tests). */
export interface RpcWorkerLike<Req, P> {
  postMessage(message: Req): void
  addEventListener(
    type: 'message',
    listener: (event: MessageEvent<WorkerRpcMessage<P>>) => void
  ): void
  terminate(): void
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** A request of one type, without the id the client adds. */
export type RpcRequestOf<Req, T> = DistributiveOmit<Extract<Req, { type: T }>, 'reqId'>

/**
 * A typed request/answer client over a worker. `Req` is the union of requests (each with a
 * `type` and a `reqId`), `Answers` maps each request type to its answer, `P` is the pushes'
 * payload; `name` names the worker in the error its pending requests get when it is stopped.
 */
export class WorkerRpcClient<
  Req extends { type: string; reqId: number },
  Answers extends { [K in Req['type']]: unknown },
  P
> {
  private nextId = 1
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >()
  private readonly listeners = new Set<(event: 'progress' | 'changed', progress: P) => void>()

  constructor(
    private readonly worker: RpcWorkerLike<Req, P>,
    private readonly name: string
  ) {
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
  request<T extends Req['type']>(request: RpcRequestOf<Req, T> & { type: T }): Promise<Answers[T]> {
    const reqId = this.nextId++
    return new Promise<Answers[T]>((resolve, reject) => {
      this.pending.set(reqId, { resolve: resolve as (value: unknown) => void, reject })
      this.worker.postMessage({ ...request, reqId } as unknown as Req)
    })
  }

  /** The worker's pushes (progress, "changed"); returns the unsubscribe. */
  onDidChange(listener: (event: 'progress' | 'changed', progress: P) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Stops the worker; requests still waiting reject. */
  dispose(): void {
    this.worker.terminate()
    this.pending.forEach((waiter) => waiter.reject(new Error(`The ${this.name} was stopped.`)))
    this.pending.clear()
  }
}
