/**
 * The browser shell's snapshot upload route (issue 12 item 5): `POST /api/upload/snapshot` with
 * the file as the body. The server authenticates it exactly like every /api call before handing
 * it here; this handler bounds it (declared length required and within the snapshot file-size
 * limit, two uploads at a time, the body cut off past its declared length) and writes it to a
 * private file in the data folder through the snapshots service, which answers with a one-time
 * handle. Nothing is verified or imported here: `snapshots:import` verifies the file first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

import { AppError, type ErrorCode, type Result } from '../../shared/errors'
import type { OfferedSnapshot } from '../../shared/ipc/contract'
import type { Logger } from '../services/logging/logger'

/** The part of the snapshots service an upload needs. */
export interface SnapshotUploadSink {
  receiveUpload(
    body: IncomingMessage,
    input: { name: string; declaredSize: number }
  ): Promise<OfferedSnapshot>
}

/** How an upload was refused: the HTTP status and the contract's error. */
export class UploadRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'UploadRefusal'
  }
}

/** Largest upload, in bytes (the snapshot file-size limit applies too). */
export const DEFAULT_UPLOAD_LIMIT = 16 * 1024 * 1024 * 1024

const MAX_CONCURRENT_UPLOADS = 2

/** Creates the handler; it holds the count of uploads in progress. */
export function createSnapshotUploadHandler(options: {
  sink: SnapshotUploadSink
  log: Logger
  maxBytes?: number
}): (req: IncomingMessage, res: ServerResponse) => Promise<Result<OfferedSnapshot>> {
  const maxBytes = options.maxBytes ?? DEFAULT_UPLOAD_LIMIT
  let running = 0
  return async (req) => {
    if (req.method !== 'POST') {
      throw new UploadRefusal(405, 'web/method-not-allowed', 'Uploads are POST requests')
    }
    // Browsers always send Origin on POST (the server checked that it is ours).
    if (req.headers.origin === undefined) {
      throw new UploadRefusal(403, 'web/bad-origin', 'Uploads must carry an Origin header')
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
    if (type !== 'application/octet-stream') {
      throw new UploadRefusal(
        415,
        'web/unsupported-media-type',
        'Uploads must be application/octet-stream'
      )
    }
    const lengthHeader = req.headers['content-length']
    const declaredSize = lengthHeader !== undefined ? Number(lengthHeader) : NaN
    if (!Number.isSafeInteger(declaredSize) || declaredSize < 0) {
      throw new UploadRefusal(411, 'snapshot/upload-failed', 'Uploads must declare their length')
    }
    if (declaredSize > maxBytes) {
      throw new UploadRefusal(
        413,
        'web/payload-too-large',
        `The file is ${declaredSize.toLocaleString('en-US')} bytes; uploads are taken up to ${maxBytes.toLocaleString('en-US')} bytes`
      )
    }
    if (running >= MAX_CONCURRENT_UPLOADS) {
      throw new UploadRefusal(
        429,
        'snapshot/busy',
        'Two snapshots are already uploading; wait for them to finish'
      )
    }
    let name = 'snapshot.caxsnap'
    try {
      name = decodeURIComponent(String(req.headers['x-snapshot-name'] ?? name))
    } catch {
      // A malformed name is only a display name: keep the default.
    }
    running += 1
    try {
      const offered = await options.sink.receiveUpload(req, { name, declaredSize })
      return { ok: true, value: offered }
    } catch (error) {
      if (error instanceof AppError) {
        options.log.warn(`[web] snapshot upload refused: ${error.code}`)
        return { ok: false, error: { code: error.code, message: error.message } }
      }
      throw error
    } finally {
      running -= 1
    }
  }
}
