/**
 * Reads a binary response body (the browser shell's event bytes: packed chunks of records, a few
 * megabytes each) as a Blob.
 *
 * Why a Blob: Chromium fills a Blob from the network in the browser process, so the body's bytes
 * never pass through the page. Reading them into the page cost most of its CPU during an import:
 * 24 bodies of 8.5 MB from a loopback server (Debian's Chromium on the 2-core benchmark machine)
 * took 4.2 s and 5.2 page CPU-s into a buffer with a BYOB reader (`arrayBuffer()` about twice
 * that), 1.7 s and 0.4 page CPU-s as a Blob. The page then reads only each chunk's header, Ids,
 * raw-text offsets and provenance; its columns and raw texts go from the Blob into IndexedDB as
 * slices of it (src/shared/cache/stored-chunk.ts `chunkToStore`; issues 11 and 13).
 *
 * The body must announce its length (`Content-Length`, as the shell does) no larger than
 * `maxBytes`, and be exactly that long: anything else is refused (null), never read in part.
 */
export async function readBodyBlob(response: Response, maxBytes: number): Promise<Blob | null> {
  const announced = response.headers.get('Content-Length')
  const length = announced === null ? Number.NaN : Number(announced)
  if (!Number.isSafeInteger(length) || length < 0 || length > maxBytes) {
    await response.body?.cancel()
    return null
  }
  const blob = await response.blob()
  return blob.size === length ? blob : null
}
