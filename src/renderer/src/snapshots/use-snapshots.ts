import { useCallback, useEffect, useRef, useState } from 'react'

import {
  emptyLedger,
  type Ledger,
  type LedgerBlob,
  type LedgerQuery
} from '../../../shared/acquisition'
import type { LedgerWindow } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'
import type { ErrorInfo } from '../../../shared/errors'
import type {
  AppApi,
  PickedFile,
  SnapshotImportCounts,
  SnapshotVerification
} from '../../../shared/ipc/contract'
import { SNAPSHOT_EXTENSION } from '../../../shared/snapshot/snapshot-format'
import type { AppDb, RecordRow } from '../db/app-db'
import { commitPushedChunks } from '../db/commit-outcome'
import { decodeChunk } from '../db/record-chunk'

/** Records per `snapshots:export-append` call. */
export const EXPORT_CHUNK = 2000

/** The state of this window's snapshot export. */
export type ExportState =
  | { status: 'idle' }
  | { status: 'running'; path: string | null; sent: number; total: number }
  | { status: 'done'; path: string; fingerprint: string; records: number }
  | { status: 'cancelled' }
  | { status: 'failed'; error: ErrorInfo }

/** The state of this window's snapshot import. */
export interface ImportState {
  status:
    'idle' | 'uploading' | 'verifying' | 'refused' | 'importing' | 'done' | 'failed' | 'cancelled'
  importId: string | null
  /** The file's name, for display. */
  name: string | null
  /** Bytes handed to main so far (an upload in the browser shell), and of how many. */
  upload: { sent: number; total: number } | null
  verification: SnapshotVerification | null
  /** What the cache stored so far (final once `done`). */
  counts: SnapshotImportCounts
  error: { code: string; message: string } | null
}

const NO_COUNTS: SnapshotImportCounts = {
  records: 0,
  new: 0,
  duplicates: 0,
  annotations: 0,
  ledgerEntries: 0
}

const IDLE_IMPORT: ImportState = {
  status: 'idle',
  importId: null,
  name: null,
  upload: null,
  verification: null,
  counts: NO_COUNTS,
  error: null
}

/** One id per window, so only the window that asked for an import commits its batches. */
const CLIENT_ID = crypto.randomUUID()

/** The whole ledger of the cache, every tenant. */
export async function loadWholeLedger(db: AppDb): Promise<Ledger> {
  const ledger = emptyLedger()
  const [windows, blobs, queries] = await Promise.all([
    db.ledger('windows'),
    db.ledger('blobs'),
    db.ledger('queries')
  ])
  for (const row of windows) {
    ledger.windows[row.key] = row.entry as LedgerWindow
  }
  for (const row of blobs) {
    ledger.blobs[row.key] = row.entry as LedgerBlob
  }
  for (const row of queries) {
    ledger.queries[row.key] = row.entry as LedgerQuery
  }
  return ledger
}

/** A cached row as the record it was (without the cache's `seq`). */
export function toRecord(row: RecordRow): NormalizedRecord {
  const record: Partial<RecordRow> = { ...row }
  delete record.seq
  return record as NormalizedRecord
}

/** A file name for an export made now: `cax-cache-2026-11-25T1640`. */
export function suggestedSnapshotName(now: Date): string {
  return `cax-cache-${now.toISOString().slice(0, 16).replace(':', '')}`
}

/** What {@link useSnapshots} gives the UI. */
export interface Snapshots {
  exportState: ExportState
  importState: ImportState
  exportCache: () => Promise<void>
  cancelExport: () => void
  /** Imports through main's open dialog (desktop). */
  importSnapshot: () => Promise<void>
  /** Imports a file the user picked or dropped: offered to main first (uploaded in the browser). */
  importFile: (file: PickedFile) => Promise<void>
  /** Imports a file main offered by itself (opened from the OS). */
  importOffered: (offered: { handle: string; name: string }) => Promise<void>
  cancelImport: () => Promise<void>
}

/**
 * Exports the cache as a snapshot (records streamed to main in `seq` order, in chunks) and imports
 * verified snapshots: each pushed batch is committed with its ledger and annotations in one
 * IndexedDB transaction, then acknowledged (main waits for that before sending more).
 */
export function useSnapshots(api: AppApi, db: AppDb): Snapshots {
  const [exportState, setExportState] = useState<ExportState>({ status: 'idle' })
  const [importState, setImportState] = useState<ImportState>(IDLE_IMPORT)
  const isExportCancelled = useRef(false)
  const importIdRef = useRef<string | null>(null)

  useEffect(() => {
    const offBatch = api.snapshots.onDidProduceImportBatch((push) => {
      if (push.clientId !== CLIENT_ID) {
        return
      }
      void commitPushedChunks(db, push, push.ledger, push.annotations).then(async (outcome) => {
        if (outcome.ok) {
          setImportState((current) => ({
            ...current,
            counts: {
              ...current.counts,
              records: current.counts.records + push.count,
              new: current.counts.new + outcome.new,
              duplicates: current.counts.duplicates + outcome.duplicates
            }
          }))
        }
        await api.snapshots.ackImportBatch({
          importId: push.importId,
          batchId: push.batchId,
          outcome
        })
      })
    })
    const offFinish = api.snapshots.onDidFinishImport((event) => {
      if (event.clientId !== CLIENT_ID) {
        return
      }
      importIdRef.current = null
      setImportState((current) => ({
        ...current,
        status: event.status === 'complete' ? 'done' : event.status,
        importId: event.importId,
        counts: event.counts,
        error: event.error
      }))
    })
    return () => {
      offBatch()
      offFinish()
      // A window that stops listening cannot commit: stop its import rather than time out.
      if (importIdRef.current) {
        void api.snapshots.cancelImport({ importId: importIdRef.current })
      }
    }
  }, [api, db])

  const exportCache = useCallback(async () => {
    isExportCancelled.current = false
    setExportState({ status: 'running', path: null, sent: 0, total: 0 })
    const [total, ledger, annotations] = await Promise.all([
      db.countRecords(),
      loadWholeLedger(db),
      db.allAnnotations()
    ])
    setExportState({ status: 'running', path: null, sent: 0, total })
    const begun = await api.snapshots.exportBegin({
      suggestedName: suggestedSnapshotName(new Date()),
      ledger,
      annotations
    })
    if (!begun.ok) {
      setExportState(
        begun.error.code === 'snapshot/cancelled'
          ? { status: 'idle' }
          : { status: 'failed', error: begun.error }
      )
      return
    }
    const { exportId, path } = begun.value
    setExportState({ status: 'running', path, sent: 0, total })
    let sent = 0
    // Whole chunks in commit order, sent in slices main accepts.
    for (let n = 0; ; n++) {
      const [chunk] = await db.readChunks(n, 1)
      if (!chunk) {
        break
      }
      const records = decodeChunk(chunk.columns, chunk.body)
      for (let i = 0; i < records.length; i += EXPORT_CHUNK) {
        if (isExportCancelled.current) {
          await api.snapshots.exportCancel({ exportId })
          setExportState({ status: 'cancelled' })
          return
        }
        const slice = records.slice(i, i + EXPORT_CHUNK)
        const appended = await api.snapshots.exportAppend({ exportId, records: slice })
        if (!appended.ok) {
          await api.snapshots.exportCancel({ exportId })
          setExportState({ status: 'failed', error: appended.error })
          return
        }
        sent += slice.length
        setExportState({ status: 'running', path, sent, total: Math.max(total, sent) })
      }
    }
    const finished = await api.snapshots.exportFinish({ exportId })
    setExportState(
      finished.ok
        ? { status: 'done', ...finished.value }
        : { status: 'failed', error: finished.error }
    )
  }, [api, db])

  const cancelExport = useCallback(() => {
    isExportCancelled.current = true
  }, [])

  const runImport = useCallback(
    async (handle: string | undefined, name: string | null) => {
      setImportState((current) => ({
        ...IDLE_IMPORT,
        status: 'verifying',
        name,
        upload: current.upload
      }))
      const result = await api.snapshots.import({
        clientId: CLIENT_ID,
        ...(handle !== undefined ? { handle } : {})
      })
      if (!result.ok) {
        setImportState(
          result.error.code === 'snapshot/cancelled'
            ? IDLE_IMPORT
            : { ...IDLE_IMPORT, status: 'failed', name, error: result.error }
        )
        return
      }
      const { importId, verification } = result.value
      if (importId === null) {
        setImportState({
          ...IDLE_IMPORT,
          status: 'refused',
          name: result.value.name,
          verification
        })
        return
      }
      importIdRef.current = importId
      // Batches (and even the end) may arrive before this answer: keep what they recorded.
      setImportState((current) => {
        const isOver =
          current.importId === importId &&
          (current.status === 'done' ||
            current.status === 'failed' ||
            current.status === 'cancelled')
        return {
          ...current,
          status: isOver ? current.status : 'importing',
          importId,
          name: result.value.name,
          verification
        }
      })
    },
    [api]
  )

  const importSnapshot = useCallback(() => runImport(undefined, null), [runImport])

  const importOffered = useCallback(
    (offered: { handle: string; name: string }) => runImport(offered.handle, offered.name),
    [runImport]
  )

  const importFile = useCallback(
    async (file: PickedFile) => {
      if (!file.name.toLowerCase().endsWith(SNAPSHOT_EXTENSION)) {
        setImportState({
          ...IDLE_IMPORT,
          status: 'failed',
          name: file.name,
          error: {
            code: 'snapshot/invalid-file',
            message: `${file.name} is not a snapshot: choose a ${SNAPSHOT_EXTENSION} file.`
          }
        })
        return
      }
      setImportState({
        ...IDLE_IMPORT,
        status: 'uploading',
        name: file.name,
        upload: { sent: 0, total: file.size }
      })
      const offered = await api.snapshots.offerFile(file, (sent, total) =>
        setImportState((current) =>
          current.status === 'uploading' ? { ...current, upload: { sent, total } } : current
        )
      )
      if (!offered.ok) {
        setImportState({ ...IDLE_IMPORT, status: 'failed', name: file.name, error: offered.error })
        return
      }
      await runImport(offered.value.handle, offered.value.name)
    },
    [api, runImport]
  )

  const cancelImport = useCallback(async () => {
    if (importIdRef.current) {
      await api.snapshots.cancelImport({ importId: importIdRef.current })
    }
  }, [api])

  return {
    exportState,
    importState,
    exportCache,
    cancelExport,
    importSnapshot,
    importFile,
    importOffered,
    cancelImport
  }
}
