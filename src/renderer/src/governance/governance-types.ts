/**
 * The typed messages between the UI and the governance worker.
 */
import type { WorkerRpcMessage } from '../workers/worker-rpc-client'

import type { GovernanceOverview, GovernanceProgress, ResourceDetail } from './governance-engine'

/** Messages the UI sends; each request carries an id its answer repeats. */
export type GovernanceRequest =
  | { type: 'open'; reqId: number; dbName: string }
  | { type: 'overview'; reqId: number; settings: unknown }
  | { type: 'detail'; reqId: number; resourceId: string; settings: unknown }

/** What each request answers. */
export interface GovernanceAnswers {
  open: GovernanceProgress
  overview: GovernanceOverview
  detail: ResourceDetail
}

export type GovernanceRequestType = GovernanceRequest['type']

/** Messages the worker sends: answers, and pushes while folding and when the cache changed. */
export type GovernanceMessage = WorkerRpcMessage<GovernanceProgress>
