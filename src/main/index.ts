/**
 * The Electron main process: wiring only. Builds the shared core, registers the app:// scheme,
 * the IPC transport, the hardened window, the menu, single-instance and file-open handling and
 * the updater. Everything with logic lives in services/, rpc/ and platform/security.ts, which are
 * tested without Electron.
 */
import { join } from 'node:path'

import { app, BrowserWindow, screen, shell } from 'electron'

import { createAppCore } from './app-core'
import { registerIpc } from './ipc/handle'
import { registerAppScheme, serveAppProtocol } from './platform/app-protocol'
import { KeytarSecretStore } from './platform/keytar-secret-store'
import { jsFlagsSwitch } from './platform/renderer-js-flags'
import { installApplicationMenu } from './platform/menu'
import { createMenuCommandHandler } from './platform/menu-commands'
import { toExternalHttpUrl } from './platform/security'
import { dialogSnapshotLocations } from './platform/snapshot-dialogs'
import { startUpdater } from './platform/updater'
import {
  createMainWindow,
  installWebContentsPolicy,
  MAIN_WINDOW_SIZING,
  preloadPathFrom
} from './platform/window'
import { FileLogger, StderrLogger } from './services/logging/logger'
import { buildMenuTemplate } from './services/desktop/menu-template'
import {
  openedPathsFromArgv,
  PendingOpens,
  toOpenedPath
} from './services/open-file/open-file-args'
import { restoreWindowState, WindowStateStore } from './services/desktop/window-state'

const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL']

// E2E runs give each launch its own data folder (STYLE.md rule 24); never honoured in a packaged app.
if (!app.isPackaged && process.env['APP_E2E'] === '1' && process.env['APP_USER_DATA_DIR']) {
  app.setPath('userData', process.env['APP_USER_DATA_DIR'])
}

// The window's renderer gets the app's V8 flags (less room for garbage: renderer-js-flags.ts):
// set before any renderer starts, so they apply to the page and its workers, not to this process.
app.commandLine.appendSwitch('js-flags', jsFlagsSwitch())

const logsDir = join(app.getPath('userData'), 'logs')
app.setAppLogsPath(logsDir)
const log = new FileLogger({
  dir: logsDir,
  ...(app.isPackaged ? {} : { mirror: new StderrLogger() })
})

// One running instance per user: a second launch hands its command line to the first and quits.
if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  start()
}

function start(): void {
  let mainWindow: BrowserWindow | undefined
  // Set once the app is ready: opens the main window again (macOS keeps running without one).
  let reopenWindow: (() => void) | undefined
  const pending = new PendingOpens()
  const openPath = (path: string | null): void => {
    if (path !== null) {
      pending.open(path)
    }
  }
  // Snapshots and audit exports alike: main tells them apart by content when delivering.
  openedPathsFromArgv(process.argv, process.cwd()).forEach(openPath)
  // macOS: double-click, drag onto the Dock icon, `open x.caxsnap` (may fire before ready).
  app.on('open-file', (event, path) => {
    event.preventDefault()
    openPath(toOpenedPath(path, process.cwd()))
    if (BrowserWindow.getAllWindows().length === 0) {
      reopenWindow?.()
    }
  })
  app.on('second-instance', (_event, argv, workingDirectory) => {
    if (mainWindow && !mainWindow.isDestroyed()) {
      if (mainWindow.isMinimized()) {
        mainWindow.restore()
      }
      mainWindow.focus()
    }
    openedPathsFromArgv(argv, workingDirectory).forEach(openPath)
  })

  registerAppScheme()
  // Electron security checklist #5, #12-#15 for every web contents and session, not only the window.
  installWebContentsPolicy(devServerUrl)

  void app.whenReady().then(async () => {
    log.info(`[app] ${app.getName()} ${app.getVersion()} starting (packaged: ${app.isPackaged})`)
    serveAppProtocol(join(import.meta.dirname, '../renderer'))
    const appCore = createAppCore({
      shell: 'desktop',
      version: app.getVersion(),
      dataDir: app.getPath('userData'),
      electronVersion: process.versions.electron ?? null,
      log,
      secrets: new KeytarSecretStore(),
      snapshotLocations: dialogSnapshotLocations(() =>
        mainWindow && !mainWindow.isDestroyed() ? mainWindow : undefined
      ),
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
    app.on('will-quit', () => {
      void appCore.close()
      void log.flush()
    })
    registerIpc(appCore.dispatch, appCore.bus, log, devServerUrl)

    const windowState = new WindowStateStore({ dataDir: app.getPath('userData'), log })
    const primary = screen.getPrimaryDisplay()
    const workAreas = [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map(
      (d) => d.workArea
    )
    const initial = restoreWindowState(await windowState.load(), workAreas, MAIN_WINDOW_SIZING)

    const openWindow = (): void => {
      const window = createMainWindow({
        preloadPath: preloadPathFrom(import.meta.dirname),
        devServerUrl,
        initial,
        icon: join(import.meta.dirname, '../../resources/icon.png'),
        onStateChange: (state) => void windowState.save(state)
      })
      mainWindow = window
      window.once('closed', () => pending.suspend())
      // Files opened before the UI loaded are delivered once it has: each to the snapshot or
      // the audit-file import, by its content.
      window.webContents.once('did-finish-load', () =>
        pending.ready((path) => {
          void appCore.openFromOs(path)
        })
      )
    }

    const onCommand = createMenuCommandHandler({
      log,
      logsDir,
      getWindow: () => mainWindow,
      openSnapshot: (path) => openPath(toOpenedPath(path, process.cwd())),
      requestExport: () => appCore.bus.publish('app:did-invoke-command', { command: 'export' }),
      requestAuditImport: () =>
        appCore.bus.publish('app:did-invoke-command', { command: 'import-audit-file' })
    })
    installApplicationMenu(
      buildMenuTemplate({
        platform: process.platform,
        isDev: !app.isPackaged,
        appName: app.getName()
      }),
      onCommand
    )

    reopenWindow = openWindow
    openWindow()
    startUpdater({ log, getSetting: async () => (await appCore.settings.get()).updates })
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
}
