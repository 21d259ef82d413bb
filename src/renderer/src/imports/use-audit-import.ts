import { useCallback, useEffect, useRef, useState } from 'react'

import type { ErrorInfo } from '../../../shared/errors'
import type {
  AppApi,
  AuditImportCounts,
  PickedFile,
  RejectedRowInfo
} from '../../../shared/ipc/contract'
import type { AppDb } from '../db/app-db'
import { commitPushedChunks } from '../db/commit-outcome'

/** Rejected rows the window keeps to list and save; past it the count goes on, the list stops. */
export const MAX_LISTED_REJECTIONS = 100_000

/** The state of this window's audit-file import. */
export interface AuditImportState {
  status: 'idle' | 'uploading' | 'importing' | 'done' | 'failed' | 'cancelled'
  importId: string | null
  name: string | null
  upload: { sent: number; total: number } | null
  progress: { bytesRead: number; totalBytes: number; rowsRead: number } | null
  /** When the import (after the upload) started, for rows/s and the ETA. */
  startedAt: number | null
  /** What this window committed so far. */
  committed: number
  rejections: RejectedRowInfo[]
  isRejectionListTruncated: boolean
  /** The final account, once ended. */
  counts: AuditImportCounts | null
  format: string | null
  warnings: string[]
  error: ErrorInfo | { code: string; message: string } | null
  /** Event times of the first and last record stored, once ended. */
  span: { first: string; last: string } | null
}

const IDLE: AuditImportState = {
  status: 'idle',
  importId: null,
  name: null,
  upload: null,
  progress: null,
  startedAt: null,
  committed: 0,
  rejections: [],
  isRejectionListTruncated: false,
  counts: null,
  format: null,
  warnings: [],
  error: null,
  span: null
}

/** One id per window, so only the window that asked for an import commits its batches. */
const CLIENT_ID = crypto.randomUUID()

/** What {@link useAuditImport} gives the UI. */
export interface AuditImport {
  state: AuditImportState
  /** Imports a file the user picked or dropped (uploaded first in the browser shell). */
  importFile: (file: PickedFile) => Promise<void>
  /** Imports through main's open dialog (desktop). */
  chooseAndImport: () => Promise<void>
  /** Imports a file main offered by itself (opened from the OS). */
  importOffered: (offered: { handle: string; name: string }) => Promise<void>
  cancel: () => Promise<void>
}

/**
 * Imports audit files (Purview / Search-UnifiedAuditLog CSV, JSON, NDJSON) into the cache: each
 * batch main pushes is committed in one IndexedDB transaction and acknowledged, like a sync.
 */
export function useAuditImport(api: AppApi, db: AppDb): AuditImport {
  const [state, setState] = useState<AuditImportState>(IDLE)
  const importIdRef = useRef<string | null>(null)

  useEffect(() => {
    const offBatch = api.imports.onDidProduceBatch((push) => {
      if (push.clientId !== CLIENT_ID) {
        return
      }
      void commitPushedChunks(db, push, push.ledger).then(async (outcome) => {
        setState((current) => {
          const room = MAX_LISTED_REJECTIONS - current.rejections.length
          return {
            ...current,
            progress: push.progress,
            committed: current.committed + (outcome.ok ? push.count : 0),
            rejections:
              push.rejections.length > 0
                ? [...current.rejections, ...push.rejections.slice(0, Math.max(0, room))]
                : current.rejections,
            isRejectionListTruncated:
              current.isRejectionListTruncated || push.rejections.length > room
          }
        })
        await api.imports.ackBatch({ importId: push.importId, batchId: push.batchId, outcome })
      })
    })
    const offFinish = api.imports.onDidFinish((event) => {
      if (event.clientId !== CLIENT_ID) {
        return
      }
      importIdRef.current = null
      setState((current) => ({
        ...current,
        status: event.status === 'complete' ? 'done' : event.status,
        importId: event.importId,
        name: event.name,
        counts: event.counts,
        format: event.format,
        warnings: event.warnings,
        error: event.error,
        span: event.span
      }))
    })
    return () => {
      offBatch()
      offFinish()
      if (importIdRef.current) {
        void api.imports.cancel({ importId: importIdRef.current })
      }
    }
  }, [api, db])

  const start = useCallback(
    async (handle: string | undefined, name: string | null) => {
      setState((current) => ({ ...IDLE, status: 'importing', name, upload: current.upload }))
      const result = await api.imports.start({
        clientId: CLIENT_ID,
        ...(handle !== undefined ? { handle } : {})
      })
      if (!result.ok) {
        setState(
          result.error.code === 'import/cancelled'
            ? IDLE
            : { ...IDLE, status: 'failed', name, error: result.error }
        )
        return
      }
      importIdRef.current = result.value.importId
      setState((current) => ({
        ...current,
        importId: result.value.importId,
        name: result.value.name,
        startedAt: Date.now()
      }))
    },
    [api]
  )

  const importFile = useCallback(
    async (file: PickedFile) => {
      setState({
        ...IDLE,
        status: 'uploading',
        name: file.name,
        upload: { sent: 0, total: file.size }
      })
      const offered = await api.imports.offerFile(file, (sent, total) =>
        setState((current) =>
          current.status === 'uploading' ? { ...current, upload: { sent, total } } : current
        )
      )
      if (!offered.ok) {
        setState({ ...IDLE, status: 'failed', name: file.name, error: offered.error })
        return
      }
      await start(offered.value.handle, offered.value.name)
    },
    [api, start]
  )

  const chooseAndImport = useCallback(() => start(undefined, null), [start])
  const importOffered = useCallback(
    (offered: { handle: string; name: string }) => start(offered.handle, offered.name),
    [start]
  )

  const cancel = useCallback(async () => {
    const importId = importIdRef.current
    if (importId) {
      await api.imports.cancel({ importId })
    }
  }, [api])

  return { state, importFile, chooseAndImport, importOffered, cancel }
}
