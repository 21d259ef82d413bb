/**
 * Where the app keeps its data outside Electron (browser shell, CLI).
 *
 * Mirrors Electron's `app.getPath('userData')` so the desktop app and the browser shell on one
 * machine share settings: %APPDATA%\<name> on Windows, ~/Library/Application Support/<name> on
 * macOS, $XDG_CONFIG_HOME/<name> or ~/.config/<name> elsewhere.
 */
import { homedir } from 'node:os'
import { join } from 'node:path'

/** The product name, which is also the name of the data folder. */
export const PRODUCT_NAME = 'Connector Audit Explorer'

/** The default data folder for this user on this platform. */
export function defaultUserDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir()
): string {
  if (platform === 'win32') {
    return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), PRODUCT_NAME)
  }
  if (platform === 'darwin') {
    return join(home, 'Library', 'Application Support', PRODUCT_NAME)
  }
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), PRODUCT_NAME)
}
