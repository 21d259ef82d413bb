import { defineConfig } from '@playwright/test'

/**
 * One set of specs, two launchers (STYLE.md rule 24): `web` drives Debian's Chromium through the
 * browser shell; `electron` drives the desktop app and is skipped where no Electron binary exists.
 */
export default defineConfig({
  testDir: './specs',
  globalSetup: './global-setup.ts',
  // Specs wait on the app's state; these limits are only backstops for a hang, generous enough
  // for a loaded 2-core machine (a busy CI box is slow, not broken). Long flows raise their own.
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env['CI']
    ? [['list'], ['json', { outputFile: '../test-results/e2e.json' }]]
    : 'list',
  outputDir: '../test-results/e2e',
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    // Never a downloaded browser: any built-in browser fixture uses Debian's Chromium too.
    launchOptions: { executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium' }
  },
  projects: [
    { name: 'web', metadata: { launcher: 'web' } },
    { name: 'electron', metadata: { launcher: 'electron' } }
  ]
})
