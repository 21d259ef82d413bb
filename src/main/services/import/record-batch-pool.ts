import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

import { processRecordBatch } from './record-batch'
import type { RecordBatchInput, RecordBatchOutput } from './record-batch'

/** The young generation of each normalize worker (see the measurement where it is used). */
const WORKER_YOUNG_GENERATION_MB = 64
/**
 * The young generation of each normalize worker while it packs 4,096-record batches for a window
 * (in-app audit-file import, snapshot import): a batch keeps every record's flattened fields
 * alive until it is packed, and with 64 MB most of them were promoted and collected again as old
 * objects. Measured on the benchmark's export (CPU time per row of the packing path, same process,
 * alternating runs, load average ~9): 75-83 µs with 64 MB, 55-61 µs with 192 MB. Costs up to
 * ~128 MB more memory per worker while an import runs.
 */
export const PACKING_YOUNG_GENERATION_MB = 192
/**
 * Runs {@link processRecordBatch} on worker threads, or in the calling thread when there are
 * none. Each `run` resolves with its own batch's output, so a caller that awaits them in the
 * order it sent them gets file order back, whichever worker finished first.
 */
export class RecordBatchPool {
  private readonly workers: Worker[] = []
  private readonly pending = new Map<
    number,
    { worker: number; resolve: (out: RecordBatchOutput) => void; reject: (e: Error) => void }
  >()
  private readonly load: number[] = []
  private seq = 0
  private failure: Error | null = null

  /**
   * @param size worker threads to start; 0 runs batches in the calling thread.
   * @param script the built worker entry (out/main/import-worker.js).
   * @param youngGenerationMb each worker's young generation (see below); smaller trades CPU for
   *   memory.
   */
  constructor(
    size: number,
    script: string | URL | null,
    youngGenerationMb: number = WORKER_YOUNG_GENERATION_MB
  ) {
    if (script === null) {
      return
    }
    for (let i = 0; i < size; i++) {
      // A young generation large enough for a batch in flight: records die young instead of
      // being promoted and copied. Measured on the benchmark's export (1,000-row batches, one
      // worker alone): 16 MB cost ~115 µs of CPU a row, 32 MB ~97, 64 MB ~68, 96 MB ~70.
      const worker = new Worker(script, {
        resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb }
      })
      worker.on('message', (message: { seq: number; output?: RecordBatchOutput; error?: string }) =>
        this.settle(message)
      )
      worker.on('error', (error) => this.fail(error))
      worker.on('exit', (code) => {
        if (code !== 0) {
          this.fail(new Error(`[import] a normalize worker stopped (exit code ${code})`))
        }
      })
      this.workers.push(worker)
      this.load.push(0)
    }
  }

  /** How many worker threads run batches (0: the calling thread does). */
  get size(): number {
    return this.workers.length
  }

  /** Processes one batch. */
  run(input: RecordBatchInput): Promise<RecordBatchOutput> {
    if (this.failure !== null) {
      return Promise.reject(this.failure)
    }
    if (this.workers.length === 0) {
      return Promise.resolve(processRecordBatch(input))
    }
    let target = 0
    for (let i = 1; i < this.load.length; i++) {
      if ((this.load[i] ?? 0) < (this.load[target] ?? 0)) {
        target = i
      }
    }
    const seq = this.seq++
    this.load[target] = (this.load[target] ?? 0) + 1
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { worker: target, resolve, reject })
      // Bytes cut for this batch alone (CSV rows, snapshot lines) move to the worker without a copy.
      const transfer: ArrayBuffer[] = []
      if (input.rows) {
        transfer.push(
          input.rows.bytes.buffer as ArrayBuffer,
          input.rows.spans.buffer as ArrayBuffer
        )
      }
      if (input.bytes) {
        transfer.push(input.bytes.buffer as ArrayBuffer)
      }
      this.workers[target]?.postMessage({ seq, input }, transfer)
    })
  }

  /** Stops the workers; batches still running are abandoned. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0)
    this.failure ??= new Error('[import] the normalize pool is closed')
    for (const entry of this.pending.values()) {
      entry.reject(this.failure)
    }
    this.pending.clear()
    await Promise.all(workers.map((w) => w.terminate()))
  }

  private settle(message: { seq: number; output?: RecordBatchOutput; error?: string }): void {
    const entry = this.pending.get(message.seq)
    if (entry === undefined) {
      return
    }
    this.pending.delete(message.seq)
    this.load[entry.worker] = (this.load[entry.worker] ?? 1) - 1
    if (message.output !== undefined) {
      entry.resolve(message.output)
    } else {
      entry.reject(new Error(`[import] a batch failed in its worker: ${message.error ?? '?'}`))
    }
  }

  private fail(error: Error): void {
    if (this.failure !== null) {
      return
    }
    this.failure = error
    for (const entry of this.pending.values()) {
      entry.reject(error)
    }
    this.pending.clear()
  }
}

/**
 * The built worker entry next to a bundle (`out/main/import-worker.js`), seen from a module's
 * `import.meta.url` (bundles put shared code one folder down, in `chunks/`). Null when running
 * from source (tests), where batches then run in the calling thread.
 */
export function findImportWorker(moduleUrl: string): string | null {
  for (const candidate of ['./import-worker.js', '../import-worker.js']) {
    const path = fileURLToPath(new URL(candidate, moduleUrl))
    if (existsSync(path)) {
      return path
    }
  }
  return null
}
