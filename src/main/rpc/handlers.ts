/**
 * Maps every contract channel to the service that implements it. The `Handlers` type makes a
 * missing channel a compile error; both transports register this one map.
 */
import type { AppInfo, Handlers } from '../../shared/ipc/contract'
import type { SettingsService } from '../services/settings-service'

export interface HandlerServices {
  appInfo: AppInfo
  settings: SettingsService
}

/** Builds the handler map from the services. */
export function createHandlers(services: HandlerServices): Handlers {
  return {
    'app:get-info': async () => services.appInfo,
    'settings:get': () => services.settings.get(),
    'settings:update': (change) => services.settings.update(change)
  }
}
