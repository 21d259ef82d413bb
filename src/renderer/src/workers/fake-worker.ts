/**
 * A worker in memory for the worker RPC tests: requests are kept until the test answers them
 * with {@link FakeWorker.send}. Test-only.
 */
import type { RpcWorkerLike, WorkerRpcMessage } from './worker-rpc-client'

export class FakeWorker<Req, Progress> implements RpcWorkerLike<Req, Progress> {
  readonly received: Req[] = []
  isTerminated = false
  private listener: ((event: MessageEvent<WorkerRpcMessage<Progress>>) => void) | undefined
  postMessage(message: Req): void {
    this.received.push(message)
  }
  addEventListener(
    _type: 'message',
    listener: (event: MessageEvent<WorkerRpcMessage<Progress>>) => void
  ): void {
    this.listener = listener
  }
  terminate(): void {
    this.isTerminated = true
  }
  send(message: WorkerRpcMessage<Progress>): void {
    this.listener?.({ data: message } as MessageEvent<WorkerRpcMessage<Progress>>)
  }
}
