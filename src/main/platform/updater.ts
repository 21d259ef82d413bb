/**
 * electron-updater glue: the decisions are in src/main/services/desktop/updates.ts. The feed comes from
 * app-update.yml, which electron-builder writes from the `publish` block of electron-builder.yml;
 * there is no setFeedURL here. electron-updater verifies the download's SHA-512 from the feed and,
 * on Windows and macOS, the code signature against the installed app's publisher.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

import { app } from 'electron'

import type { UpdatesPreference } from '../../shared/ipc/contract'
import type { Logger } from '../services/logging/logger'
import {
  decideUpdates,
  describeDecision,
  nextCheckDelayMs,
  readUpdatesPolicy,
  type InstallFacts
} from '../services/desktop/updates'

export interface UpdaterOptions {
  log: Logger
  /** The user's current choice (read before every check, so turning it off takes effect). */
  getSetting: () => Promise<UpdatesPreference>
}

function installFacts(): InstallFacts {
  const exe = app.getPath('exe')
  return {
    platform: process.platform,
    isPackaged: app.isPackaged,
    hasNsisUninstaller: existsSync(join(dirname(exe), `Uninstall ${app.getName()}.exe`)),
    appImagePath: process.env['APPIMAGE']
  }
}

/**
 * Starts the check loop: a first check shortly after start-up, then every few hours, each time
 * re-reading the setting and the policy. Downloads in the background; installs on quit.
 * Returns a function that stops the loop.
 */
export function startUpdater(options: UpdaterOptions): () => void {
  const { log } = options
  let timer: NodeJS.Timeout | undefined
  let lastCheckAt: Date | null = null
  let lastMessage = ''
  let isStopped = false

  const tick = async (): Promise<void> => {
    const policy = await readUpdatesPolicy()
    const decision = decideUpdates({
      install: installFacts(),
      setting: await options.getSetting(),
      policy
    })
    const message = describeDecision(decision, policy)
    if (message !== lastMessage) {
      log.info(message)
      lastMessage = message
    }
    if (decision.shouldCheck) {
      // Loaded only when needed: development runs never load electron-updater at all.
      const { default: electronUpdater } = await import('electron-updater')
      const updater = electronUpdater.autoUpdater
      updater.logger = {
        info: (m: unknown) => log.info(`[updates] ${String(m)}`),
        warn: (m: unknown) => log.warn(`[updates] ${String(m)}`),
        error: (m: unknown) => log.error(`[updates] ${String(m)}`),
        debug: () => undefined
      }
      updater.autoDownload = true
      updater.autoInstallOnAppQuit = true
      updater.allowPrerelease = false
      updater.allowDowngrade = false
      await updater.checkForUpdates().catch((error: unknown) => {
        log.warn(`[updates] check failed: ${(error as Error).message.split('\n')[0] ?? ''}`)
      })
    }
    lastCheckAt = new Date()
  }

  const schedule = (): void => {
    if (isStopped) {
      return
    }
    timer = setTimeout(
      () => {
        void tick()
          .catch((error: unknown) => log.error(`[updates] ${(error as Error).message}`))
          .finally(schedule)
      },
      nextCheckDelayMs(lastCheckAt, new Date())
    )
  }
  schedule()
  return () => {
    isStopped = true
    clearTimeout(timer)
  }
}
