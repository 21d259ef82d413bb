/**
 * The browser shell's implementation of {@link AppApi}: POST /api/<channel> for calls and one
 * EventSource on /api/events for pushes. Same types and results as the preload.
 */
import { fail, isErrorCode, type Result } from '../../../shared/errors'
import {
  apiPath,
  CHANNELS,
  EVENT_NAMES,
  isPageChannel,
  AUDIT_FILE_UPLOAD_PATH,
  EVENT_BYTES_KEY,
  EVENT_BYTES_PATH,
  SNAPSHOT_UPLOAD_PATH,
  type AppApi,
  type OfferedSnapshot,
  type PickedFile
} from '../../../shared/ipc/contract'
import { MAX_PACKED_BYTES } from '../../../shared/cache/packed-frame'

import { readBodyBlob } from './read-body-blob'

type Listener = (payload: unknown) => void

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) {
    return false
  }
  const v = value as { ok: unknown; error?: { code?: unknown; message?: unknown } }
  return (
    v.ok === true ||
    (v.ok === false && isErrorCode(v.error?.code) && typeof v.error?.message === 'string')
  )
}

/**
 * The payload with every `{ $bytes: id }` replaced by the bytes it stands for, fetched from the
 * shell (all at once) as a Blob (read-body-blob.ts says why). Bytes that cannot be fetched become
 * an empty array, which the consumer
 * refuses (a packed chunk is never empty), so a lost batch fails loudly instead of waiting.
 */
async function withEventBytes(
  payload: unknown,
  fetchBytes: (id: string) => Promise<Uint8Array | Blob>
): Promise<unknown> {
  if (Array.isArray(payload)) {
    return Promise.all(payload.map((item) => withEventBytes(item, fetchBytes)))
  }
  if (typeof payload !== 'object' || payload === null) {
    return payload
  }
  const record = payload as Record<string, unknown>
  const id = record[EVENT_BYTES_KEY]
  if (typeof id === 'string' && Object.keys(record).length === 1) {
    return fetchBytes(id)
  }
  const entries = await Promise.all(
    Object.entries(record).map(
      async ([key, value]) => [key, await withEventBytes(value, fetchBytes)] as const
    )
  )
  return Object.fromEntries(entries)
}

/** Builds the HTTP client for a browser-shell origin (normally `window.location.origin`). */
export function createHttpApi(
  baseUrl: string,
  fetchImpl: typeof fetch = fetch.bind(globalThis)
): AppApi {
  const listeners = new Map<string, Set<Listener>>()
  let source: EventSource | undefined

  async function call(channel: string, input: unknown): Promise<Result<unknown>> {
    let response: Response
    try {
      response = await fetchImpl(`${baseUrl}/api/${channel}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(input ?? {})
      })
    } catch {
      return fail('ipc/unreachable', 'The browser shell is not reachable. Is it still running?')
    }
    let body: unknown
    try {
      body = await response.json()
    } catch {
      return fail(
        'ipc/internal',
        `Unexpected response from the browser shell (HTTP ${response.status})`
      )
    }
    return isResult(body)
      ? body
      : fail('ipc/internal', `Unexpected response from the browser shell (HTTP ${response.status})`)
  }

  async function fetchEventBytes(id: string): Promise<Uint8Array | Blob> {
    try {
      const response = await fetchImpl(`${baseUrl}${EVENT_BYTES_PATH}${encodeURIComponent(id)}`, {
        credentials: 'same-origin'
      })
      if (!response.ok) {
        await response.body?.cancel()
        return new Uint8Array(0)
      }
      return (await readBodyBlob(response, MAX_PACKED_BYTES)) ?? new Uint8Array(0)
    } catch {
      return new Uint8Array(0)
    }
  }

  function subscribe(event: string, listener: Listener): () => void {
    let set = listeners.get(event)
    if (!set) {
      set = new Set()
      listeners.set(event, set)
    }
    set.add(listener)
    if (!source) {
      source = new EventSource(`${baseUrl}/api/events`, { withCredentials: true })
      // Events are handed on in the order they came, each once its bytes (if any) are here.
      let delivered: Promise<void> = Promise.resolve()
      for (const name of EVENT_NAMES) {
        source.addEventListener(name, (message) => {
          const data = (message as MessageEvent<string>).data
          let payload: unknown
          try {
            payload = JSON.parse(data)
          } catch {
            return
          }
          const ready = data.includes(EVENT_BYTES_KEY)
            ? withEventBytes(payload, fetchEventBytes)
            : Promise.resolve(payload)
          delivered = delivered.then(async () => {
            const value = await ready
            for (const l of listeners.get(name) ?? []) {
              l(value)
            }
          })
        })
      }
    }
    return () => {
      set.delete(listener)
    }
  }

  /**
   * Uploads a picked or dropped file to the browser shell's upload route as one streamed body
   * (XMLHttpRequest, the browser API that reports upload progress); main writes it to a private
   * file and answers with a handle. Nothing is imported until `snapshots.import` is called with it.
   */
  function upload(
    path: string,
    file: PickedFile,
    onProgress?: (sentBytes: number, totalBytes: number) => void
  ): Promise<Result<OfferedSnapshot>> {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest()
      xhr.open('POST', `${baseUrl}${path}`)
      xhr.withCredentials = true
      xhr.setRequestHeader('Content-Type', 'application/octet-stream')
      xhr.setRequestHeader('X-Snapshot-Name', encodeURIComponent(file.name))
      xhr.upload.onprogress = (event) => onProgress?.(event.loaded, event.total || file.size)
      xhr.onload = () => {
        let body: unknown
        try {
          body = JSON.parse(xhr.responseText) as unknown
        } catch {
          body = null
        }
        resolve(
          isResult(body)
            ? (body as Result<OfferedSnapshot>)
            : fail(
                'ipc/internal',
                `Unexpected response from the browser shell (HTTP ${xhr.status})`
              )
        )
      }
      xhr.onerror = () =>
        resolve(
          fail(
            'ipc/unreachable',
            'The upload did not reach the browser shell. Is it still running?'
          )
        )
      xhr.onabort = () => resolve(fail('snapshot/cancelled', 'The upload was cancelled.'))
      xhr.send(file as unknown as Blob)
    })
  }

  const api: Record<string, Record<string, unknown>> = {}
  for (const channel of CHANNELS.filter(isPageChannel)) {
    const [domain, method] = apiPath(channel)
    api[domain] = { ...api[domain], [method]: (input: unknown) => call(channel, input) }
  }
  for (const event of EVENT_NAMES) {
    const [domain, method] = apiPath(event)
    api[domain] = { ...api[domain], [method]: (listener: Listener) => subscribe(event, listener) }
  }
  api['snapshots'] = {
    ...api['snapshots'],
    offerFile: (file: PickedFile, onProgress?: (sent: number, total: number) => void) =>
      upload(SNAPSHOT_UPLOAD_PATH, file, onProgress)
  }
  api['imports'] = {
    ...api['imports'],
    offerFile: (file: PickedFile, onProgress?: (sent: number, total: number) => void) =>
      upload(AUDIT_FILE_UPLOAD_PATH, file, onProgress)
  }
  return api as unknown as AppApi
}
