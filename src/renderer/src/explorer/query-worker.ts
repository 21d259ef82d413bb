/**
 * The Explorer's query worker: owns the columnar index so filtering a million rows never blocks
 * the UI thread. Thin on purpose: the logic is in query-engine.ts and column-index.ts.
 */
import { AppDb, DB_CHANNEL_NAME, type DbChannelMessage } from '../db/app-db'

import { QueryEngine } from './query-engine'
import type { LoadProgress, WorkerMessage, WorkerRequest } from './query-types'

interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null
  postMessage(message: WorkerMessage): void
}

const scope = self as unknown as WorkerScope
let engine: QueryEngine | null = null
let dbName = ''
let db: AppDb | null = null
/**
 * The page's AppDb whose commits are handed over ('append'): its "records committed" broadcasts
 * are skipped, since its hand-over appends those chunks (a broadcast arriving first would read
 * them back from IndexedDB).
 */
let handingWriter: string | null = null

function post(message: WorkerMessage): void {
  scope.postMessage(message)
}

/** Loads what was committed since (`load`: from IndexedDB, or handed over); says if it grew. */
async function refresh(
  load: (engine: QueryEngine) => Promise<LoadProgress> = (engine) => engine.load()
): Promise<LoadProgress> {
  if (!engine) {
    throw new Error('The query worker has no database open.')
  }
  const before = engine.index.size
  const progress = await load(engine)
  if (progress.indexed !== before) {
    post({ type: 'changed', progress })
  }
  return progress
}

async function handle(request: WorkerRequest): Promise<unknown> {
  if (request.type === 'open') {
    if (engine && request.dbName === dbName) {
      // Opened again (the page started the worker early, then the Explorer opened it): the
      // load under way, or where it stands.
      return engine.settled()
    }
    if (!engine) {
      dbName = request.dbName
      db = new AppDb(request.dbName)
      engine = new QueryEngine(db)
      const channel = new BroadcastChannel(DB_CHANNEL_NAME)
      channel.onmessage = (event: MessageEvent<DbChannelMessage>) => {
        const message = event.data
        if (message.dbName !== dbName || !engine) {
          return
        }
        if (message.type === 'annotations-changed') {
          void engine
            .loadTags(message.ids)
            .then(() => post({ type: 'changed', progress: engine!.progress() }))
        } else if (message.type === 'reset') {
          // The cache was cleared: start over from what is (not) there now.
          engine.dispose()
          engine = new QueryEngine(db!)
          void engine.load().then((progress) => post({ type: 'changed', progress }))
        } else if (message.writer === undefined || message.writer !== handingWriter) {
          void refresh().catch(() => undefined)
        }
      }
    }
    return engine.load((progress) => post({ type: 'progress', progress }))
  }
  if (request.type === 'hand-over-from') {
    handingWriter = request.writer
    return null
  }
  if (request.type === 'append') {
    // Chunks the page just committed, handed over from memory (query-worker-keeper.ts). Pushes
    // "changed" like a commit announced on the channel, so a shown Explorer refreshes.
    if (request.dbName !== dbName) {
      throw new Error(`The query worker has cache ${dbName} open, not ${request.dbName}.`)
    }
    return refresh((engine) => engine.offer(request.epoch, request.chunks))
  }
  if (!engine) {
    throw new Error('The query worker has no database open.')
  }
  switch (request.type) {
    case 'query':
      return engine.summary(request.query)
    case 'rows':
      return engine.rows(request.query, request.start, request.end, request.columns)
    case 'records':
      return engine.records(request.query, request.start, request.end)
    case 'bulk-tag':
      return { tagged: await engine.bulkTag(request.query, request.tag) }
    case 'refresh':
      return engine.load()
    case 'stack':
      return engine.stack(request.query, request.columns, request.sort, request.limit, {
        ...(request.offset !== undefined ? { offset: request.offset } : {}),
        ...(request.find !== undefined ? { find: request.find } : {})
      })
  }
}

scope.onmessage = (event) => {
  const request = event.data
  handle(request).then(
    (value) => post({ type: 'answer', reqId: request.reqId, ok: true, value }),
    (error: unknown) =>
      post({
        type: 'answer',
        reqId: request.reqId,
        ok: false,
        error: error instanceof Error ? error.message : String(error)
      })
  )
}
