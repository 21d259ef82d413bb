import { parentPort } from 'node:worker_threads'

import { processRecordBatch } from './record-batch'
import type { RecordBatchInput } from './record-batch'

/**
 * Worker-thread entry of the import (built to out/main/import-worker.js): runs
 * {@link processRecordBatch} on each batch it is sent and answers with the same sequence number.
 * Batches are independent, so any number of these can run side by side; the pool
 * (record-batch-pool.ts) puts the answers back in file order.
 */
parentPort?.on('message', (message: { seq: number; input: RecordBatchInput }) => {
  try {
    const output = processRecordBatch(message.input)
    // The NDJSON bytes move to the main thread without a copy.
    parentPort?.postMessage({ seq: message.seq, output }, [
      output.records.ndjson.buffer as ArrayBuffer,
      ...(output.packed ?? []).map((chunk) => chunk.buffer as ArrayBuffer)
    ])
  } catch (error) {
    parentPort?.postMessage({
      seq: message.seq,
      error: error instanceof Error ? error.message : String(error)
    })
  }
})
