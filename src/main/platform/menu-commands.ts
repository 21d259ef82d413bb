/**
 * What the application menu's commands do (src/main/services/desktop/menu-template.ts names them):
 * native dialogs, the About box, the system browser and the file manager.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

import { app, dialog, shell, type BrowserWindow } from 'electron'

import { SNAPSHOT_EXTENSION } from '../../shared/snapshot/snapshot-format'
import type { FileLogger } from '../services/logging/logger'
import { DOCUMENTATION_URL, type MenuCommand } from '../services/desktop/menu-template'

import { showAboutDialog } from './about-dialog'
import { toExternalHttpUrl } from './security'

export interface MenuCommandDeps {
  log: FileLogger
  logsDir: string
  getWindow: () => BrowserWindow | undefined
  /** Receives the snapshot path chosen in File → Open Snapshot…. */
  openSnapshot: (path: string) => void
  /** Hands File → Export… to the UI (`app:did-invoke-command`). */
  requestExport: () => void
  /** Asks the window to import an audit file (it opens the dialog through `imports:start`). */
  requestAuditImport: () => void
}

/** Returns the menu's command handler; failures are logged, never thrown into Electron. */
export function createMenuCommandHandler(deps: MenuCommandDeps): (command: MenuCommand) => void {
  const { log } = deps
  const run = async (command: MenuCommand): Promise<void> => {
    const window = deps.getWindow()
    switch (command) {
      case 'open-snapshot': {
        const options = {
          title: 'Open Snapshot',
          properties: ['openFile' as const],
          filters: [{ name: 'Snapshots', extensions: [SNAPSHOT_EXTENSION.slice(1)] }]
        }
        const result = window
          ? await dialog.showOpenDialog(window, options)
          : await dialog.showOpenDialog(options)
        const [path] = result.filePaths
        if (!result.canceled && path !== undefined) {
          deps.openSnapshot(path)
        }
        return
      }
      case 'export':
        deps.requestExport()
        return
      case 'import-audit-file':
        deps.requestAuditImport()
        return
      case 'about': {
        const pkg = JSON.parse(await readFile(join(app.getAppPath(), 'package.json'), 'utf8')) as {
          license?: unknown
        }
        await showAboutDialog(window, {
          name: app.getName(),
          version: app.getVersion(),
          electron: process.versions.electron,
          chrome: process.versions.chrome,
          node: process.versions.node,
          v8: process.versions.v8,
          platform: process.platform,
          arch: process.arch,
          license: typeof pkg.license === 'string' ? pkg.license : ''
        })
        return
      }
      case 'open-docs': {
        // Electron security checklist #15: a constant, and still checked.
        const url = toExternalHttpUrl(DOCUMENTATION_URL)
        if (url) {
          await shell.openExternal(url)
        }
        return
      }
      case 'open-logs-folder': {
        await log.flush()
        const problem = await shell.openPath(deps.logsDir)
        if (problem) {
          log.warn(`[menu] could not open the logs folder: ${problem}`)
        }
        return
      }
    }
  }
  return (command) => {
    void run(command).catch((error: unknown) =>
      log.error(`[menu] ${command} failed: ${(error as Error).message}`)
    )
  }
}
