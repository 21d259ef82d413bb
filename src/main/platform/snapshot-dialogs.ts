/**
 * The desktop app's snapshot locations: native save and open dialogs (snapshots and audit files),
 * parented to the main window.
 */
import { join } from 'node:path'

import { app, dialog, type BrowserWindow } from 'electron'

import { SNAPSHOT_EXTENSION } from '../../shared/snapshot'
import { safeSnapshotName } from '../services/snapshot/snapshot-locations'
import type { SnapshotLocations } from '../services/snapshot/snapshots-service'

const FILTERS = [{ name: 'Audit snapshot', extensions: [SNAPSHOT_EXTENSION.slice(1)] }]

/** Save and open dialogs for snapshots. */
export function dialogSnapshotLocations(
  getWindow: () => BrowserWindow | undefined
): SnapshotLocations {
  return {
    chooseExportPath: async (suggestedName) => {
      const options = {
        title: 'Export snapshot',
        defaultPath: join(app.getPath('downloads'), safeSnapshotName(suggestedName)),
        filters: FILTERS
      }
      const parent = getWindow()
      const result = parent
        ? await dialog.showSaveDialog(parent, options)
        : await dialog.showSaveDialog(options)
      return result.canceled || !result.filePath ? null : result.filePath
    },
    chooseReviewPackPath: async (suggestedName) => {
      const options = {
        title: 'Save review pack (the snapshot it is made from; the XLSX and HTML go next to it)',
        defaultPath: join(app.getPath('downloads'), safeSnapshotName(suggestedName)),
        filters: FILTERS
      }
      const parent = getWindow()
      const result = parent
        ? await dialog.showSaveDialog(parent, options)
        : await dialog.showSaveDialog(options)
      return result.canceled || !result.filePath ? null : result.filePath
    },
    chooseImportPath: () => openOne(getWindow, { title: 'Import snapshot', filters: FILTERS }),
    chooseAuditFilePath: () =>
      openOne(getWindow, {
        title: 'Import audit file',
        filters: [
          {
            name: 'Audit exports (CSV, JSON, NDJSON)',
            extensions: ['csv', 'json', 'ndjson', 'txt']
          },
          { name: 'All files', extensions: ['*'] }
        ]
      })
  }
}

/** An open dialog for one file, parented to the main window; null when cancelled. */
async function openOne(
  getWindow: () => BrowserWindow | undefined,
  options: { title: string; filters: { name: string; extensions: string[] }[] }
): Promise<string | null> {
  const dialogOptions = { ...options, properties: ['openFile' as const] }
  const parent = getWindow()
  const result = parent
    ? await dialog.showOpenDialog(parent, dialogOptions)
    : await dialog.showOpenDialog(dialogOptions)
  return result.canceled ? null : (result.filePaths[0] ?? null)
}
