/**
 * Reads a binary response body (the browser shell's event bytes: packed chunks of records, a few
 * megabytes each) into one byte array.
 *
 * Why not `response.arrayBuffer()`: Chromium assembles the body from the pieces it received and
 * copies them into a new buffer, which measured about twice the renderer CPU of reading the body
 * with a BYOB reader straight into a buffer of the announced length (60 bodies of 8 MB from a
 * loopback server, Debian's Chromium on the 2-core benchmark machine: 10-12 CPU-s with
 * `arrayBuffer()`, 6.5 s with a default reader copying chunks, 4.8-5.7 s with BYOB). At a million
 * imported records the hand-over is about 2 GB, so this is tens of CPU seconds the page needs for
 * committing (issue 13 item 2, issue 11 item 2).
 *
 * The announced `Content-Length` is checked: a body longer or shorter than it, or larger than
 * `maxBytes`, is refused (null) rather than read in part.
 */
export async function readBodyBytes(
  response: Response,
  maxBytes: number
): Promise<Uint8Array | null> {
  const announced = response.headers.get('Content-Length')
  const length = announced === null ? Number.NaN : Number(announced)
  if (!Number.isSafeInteger(length) || length < 0 || response.body === null) {
    // No length to read into: the plain way, still bounded.
    const bytes = new Uint8Array(await response.arrayBuffer())
    return bytes.byteLength <= maxBytes ? bytes : null
  }
  if (length > maxBytes) {
    await response.body.cancel()
    return null
  }
  let reader: ReadableStreamBYOBReader
  try {
    reader = response.body.getReader({ mode: 'byob' })
  } catch {
    // Not a byte stream (an older engine): the plain way.
    const bytes = new Uint8Array(await response.arrayBuffer())
    return bytes.byteLength === length ? bytes : null
  }
  // Each read hands the buffer over and back (it is transferred): follow it.
  let buffer = new ArrayBuffer(length)
  let at = 0
  while (at < length) {
    const { done, value } = await reader.read(new Uint8Array(buffer, at, length - at))
    if (done || value === undefined) {
      return null // shorter than announced
    }
    buffer = value.buffer as ArrayBuffer
    at += value.byteLength
  }
  // Nothing may follow the announced length.
  const { done, value } = await reader.read(new Uint8Array(1))
  if (!done || (value !== undefined && value.byteLength > 0)) {
    await reader.cancel()
    return null
  }
  return new Uint8Array(buffer)
}
