import { useRef, useState } from 'react'

import type { AppApi } from '../../../shared/ipc/contract'
import type { AppDb } from '../db/app-db'
import type { TimeZoneMode } from '../explorer/explorer-columns'
import type { QueryClient } from '../explorer/query-client'
import type { ExplorerQuery } from '../explorer/query-types'

import { ReviewPackNotice } from './ReviewPackNotice'
import { runReviewPack, type ReviewPackDone } from './review-pack-runner'

export interface ReviewPackButtonProps {
  api: AppApi
  db: AppDb
  /** The worker's client and the view's query, read when the pack starts. */
  client: () => QueryClient | null
  query: () => ExplorerQuery
  timeZone: TimeZoneMode
  total: number
  onNotice(text: string): void
}

/**
 * **Review pack** of the current view (XLSX + HTML, made through main from a snapshot of the
 * view), with progress and cancel, and where it went.
 */
export function ReviewPackButton({
  api,
  db,
  client,
  query,
  timeZone,
  total,
  onNotice
}: ReviewPackButtonProps): React.JSX.Element {
  const abort = useRef<AbortController | null>(null)
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null)
  const [pack, setPack] = useState<ReviewPackDone | null>(null)

  async function make(): Promise<void> {
    const worker = client()
    if (!worker) {
      return
    }
    const packQuery = query()
    const controller = new AbortController()
    abort.current = controller
    setPack(null)
    setProgress({ done: 0, total })
    try {
      const outcome = await runReviewPack({
        api,
        db,
        timeZone,
        fetchRows: (start, end) => worker.request({ type: 'rows', query: packQuery, start, end }),
        fetchRecords: (start, end) =>
          worker.request({ type: 'records', query: packQuery, start, end }),
        signal: controller.signal,
        onProgress: (done, all) => setProgress({ done, total: all })
      })
      if (outcome.status === 'done') {
        setPack(outcome.pack)
      } else {
        onNotice(
          outcome.status === 'cancelled'
            ? 'Review pack cancelled.'
            : `Review pack failed: ${outcome.error.message}`
        )
      }
    } catch (error) {
      onNotice(`Review pack failed: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      setProgress(null)
      abort.current = null
    }
  }

  return (
    <>
      {progress ? (
        <span className="export-progress">
          <progress
            aria-label="Review pack progress"
            max={Math.max(1, progress.total)}
            value={progress.done}
          />
          {progress.done.toLocaleString()} / {progress.total.toLocaleString()}
          <button type="button" onClick={() => abort.current?.abort()}>
            Cancel review pack
          </button>
        </span>
      ) : (
        <button
          type="button"
          title="One XLSX and a printable HTML page for a reviewer — cover, summary, resources, sharing, findings and this view's records — made from a snapshot of this view whose fingerprint is on the cover"
          onClick={() => void make()}
        >
          Review pack
        </button>
      )}
      {pack && <ReviewPackNotice pack={pack} onClose={() => setPack(null)} />}
    </>
  )
}
