/**
 * The desktop app's snapshot locations: native save and open dialogs, parented to the main window.
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
    chooseImportPath: async () => {
      const options = {
        title: 'Import snapshot',
        filters: FILTERS,
        properties: ['openFile' as const]
      }
      const parent = getWindow()
      const result = parent
        ? await dialog.showOpenDialog(parent, options)
        : await dialog.showOpenDialog(options)
      return result.canceled ? null : (result.filePaths[0] ?? null)
    }
  }
}
