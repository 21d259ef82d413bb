/**
 * The governance worker: folds the whole cache into resources and findings off the UI thread,
 * then keeps up with newly committed chunks. Thin on purpose: the logic is in
 * governance-engine.ts.
 */
import { AppDb, DB_CHANNEL_NAME, type DbChannelMessage } from '../db/app-db'

import { GovernanceEngine } from './governance-engine'
import type { GovernanceMessage, GovernanceRequest } from './governance-types'

interface WorkerScope {
  onmessage: ((event: MessageEvent<GovernanceRequest>) => void) | null
  postMessage(message: GovernanceMessage): void
}

const scope = self as unknown as WorkerScope
let engine: GovernanceEngine | null = null

function post(message: GovernanceMessage): void {
  scope.postMessage(message)
}

function follow(dbName: string, current: GovernanceEngine): void {
  const channel = new BroadcastChannel(DB_CHANNEL_NAME)
  channel.onmessage = (event: MessageEvent<DbChannelMessage>) => {
    const message = event.data
    if (message.dbName !== dbName || message.type === 'annotations-changed') {
      return
    }
    if (message.type === 'reset') {
      current.reset()
    }
    void current
      .load((progress) => post({ type: 'progress', progress }))
      .then((progress) => post({ type: 'changed', progress }))
  }
}

async function handle(request: GovernanceRequest): Promise<unknown> {
  if (request.type === 'open') {
    if (!engine) {
      engine = new GovernanceEngine(new AppDb(request.dbName))
      follow(request.dbName, engine)
    }
    return engine.load((progress) => post({ type: 'progress', progress }))
  }
  if (!engine) {
    throw new Error('The governance worker has no database open.')
  }
  switch (request.type) {
    case 'overview':
      return engine.overview(request.settings)
    case 'detail':
      return engine.detail(request.resourceId, request.settings)
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
