/**
 * The Electron main process: wiring only. Builds the shared core, registers the app:// scheme,
 * the IPC transport and the hardened window. Everything with logic lives in services/, rpc/ and
 * platform/security.ts, which are tested without Electron.
 */
import { join } from 'node:path'

import { app, BrowserWindow, shell } from 'electron'

import { createAppCore } from './app-core'
import { registerIpc } from './ipc/handle'
import { registerAppScheme, serveAppProtocol } from './platform/app-protocol'
import { KeytarSecretStore } from './platform/keytar-secret-store'
import { toExternalHttpUrl } from './platform/security'
import { createMainWindow, hardenSession, preloadPathFrom } from './platform/window'
import { StderrLogger } from './services/logger'

const log = new StderrLogger()
const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL']

// E2E runs give each launch its own data folder (STYLE.md rule 24); never honoured in a packaged app.
if (!app.isPackaged && process.env['APP_E2E'] === '1' && process.env['APP_USER_DATA_DIR']) {
  app.setPath('userData', process.env['APP_USER_DATA_DIR'])
}

registerAppScheme()

void app.whenReady().then(() => {
  hardenSession()
  serveAppProtocol(join(import.meta.dirname, '../renderer'))
  const core = createAppCore({
    shell: 'desktop',
    version: app.getVersion(),
    dataDir: app.getPath('userData'),
    electronVersion: process.versions.electron ?? null,
    log,
    secrets: new KeytarSecretStore(),
    // Electron security checklist #15: only checked http(s) URLs reach shell.openExternal.
    opener: {
      open: async (url) => {
        const safe = toExternalHttpUrl(url)
        if (!safe) {
          throw new Error('Refusing to open a non-http(s) URL')
        }
        await shell.openExternal(safe)
      }
    }
  })
  app.on('will-quit', () => void core.close())
  registerIpc(core.dispatch, core.bus, log, devServerUrl)
  const openWindow = (): void => {
    createMainWindow({ preloadPath: preloadPathFrom(import.meta.dirname), devServerUrl })
  }
  openWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) {
      openWindow()
    }
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') {
    app.quit()
  }
})
