/**
 * Entry point of the browser shell (`out/main/web.js`); see browser-shell.ts. The demo
 * emulator's `/_test/*` surface stays closed: no switch at run time opens it here.
 */
import { runBrowserShell } from './browser-shell'

void runBrowserShell({ here: import.meta.dirname, demoTestHooks: false })
