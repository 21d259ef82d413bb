/**
 * Test-only entry point of the browser shell (`out/main/web-test-hooks.js`): the same shell with
 * the demo emulator's `/_test/*` surface open, so end-to-end specs can read what a send left in
 * its fake cluster. electron-builder.yml leaves this file out of the package, and nothing in the
 * shipped entry points (web.js, index.js) can turn the hooks on: no environment variable, flag
 * or file does.
 */
import { runBrowserShell } from './browser-shell'

void runBrowserShell({ here: import.meta.dirname, demoTestHooks: true })
