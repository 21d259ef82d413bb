/**
 * Giving memory back before the collector would. Pure.
 */

/**
 * Gives back now the memory of arrays a pass made and no longer needs, instead of at the next
 * collection: the query worker's working arrays and the arrays a prepared chunk replaces were
 * hundreds of megabytes of garbage at five million records, still held when the explorer
 * benchmark sampled the renderer. Only an array that is its buffer's only view is given back
 * (its buffer is detached: every view of it reads as empty), so the caller must hold no other
 * view of it. A no-op where the runtime lacks `ArrayBuffer.prototype.transfer` (Node 20).
 */
export function freeNow(...arrays: ArrayBufferView[]): void {
  for (const array of arrays) {
    const buffer = array.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }
    if (
      typeof buffer.transfer === 'function' &&
      array.byteOffset === 0 &&
      array.byteLength === buffer.byteLength &&
      array.byteLength > 0
    ) {
      buffer.transfer(0)
    }
  }
}
