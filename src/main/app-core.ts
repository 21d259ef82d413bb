/**
 * Builds the services and the contract handlers once, for whichever shell hosts them. The
 * Electron main process and the browser shell both call this, so they run the same code.
 */
import type { Shell } from '../shared/ipc/contract'

import { createDispatcher, type Dispatcher } from './rpc/dispatch'
import { EventBus } from './rpc/event-bus'
import { createHandlers } from './rpc/handlers'
import type { Logger } from './services/logger'
import { SettingsService } from './services/settings-service'

export interface AppCoreOptions {
  shell: Shell
  version: string
  dataDir: string
  log: Logger
  electronVersion?: string | null
}

export interface AppCore {
  dispatch: Dispatcher
  bus: EventBus
}

/** Wires services, handlers, the dispatcher and the event bus. */
export function createAppCore(options: AppCoreOptions): AppCore {
  const bus = new EventBus()
  const settings = new SettingsService({
    dataDir: options.dataDir,
    log: options.log,
    onDidChange: (value) => bus.publish('settings:did-change', value)
  })
  const handlers = createHandlers({
    appInfo: {
      name: 'Connector Audit Explorer',
      version: options.version,
      shell: options.shell,
      platform: process.platform,
      electronVersion: options.electronVersion ?? null,
      nodeVersion: process.versions.node
    },
    settings
  })
  return { dispatch: createDispatcher(handlers, options.log), bus }
}
