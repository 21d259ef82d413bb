import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { _electron, expect, test } from '@playwright/test'

import { ROOT } from '../fixtures/launchers'
import { findUnpackedApp } from '../fixtures/packaged'

/**
 * Smoke test of the packaged app (asar, fuses, app:// protocol, preload, native keytar unpacked)
 * from `npm run build:unpack`, which keeps the nodeCliInspect fuse on so Playwright can attach.
 * Runs once, with the electron project; skipped with the reason where there is no unpacked build.
 */
// Playwright reads fixtures from the destructuring pattern, so it must exist.
// eslint-disable-next-line no-empty-pattern
test('the packaged app starts and serves its UI from app://explorer', async ({}, testInfo) => {
  test.skip(testInfo.project.name !== 'electron', 'runs once, with the electron project')
  const app = findUnpackedApp(join(ROOT, 'dist'))
  test.skip('reason' in app, 'reason' in app ? app.reason : '')
  if ('reason' in app) {
    return
  }
  const userData = await mkdtemp(join(tmpdir(), 'cax-packaged-'))
  // A packaged app ignores APP_USER_DATA_DIR; Chromium's switch keeps the run away from real data.
  const electronApp = await _electron.launch({
    executablePath: app.path,
    args: [`--user-data-dir=${userData}`]
  })
  try {
    const page = await electronApp.firstWindow()
    await page.locator('[data-app-state="ready"]').waitFor({ timeout: 60_000 })
    expect(page.url()).toMatch(/^app:\/\/explorer\//)
    // Electron security checklist #2/#3: no Node in the page, only the named API.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe(
      'undefined'
    )
    expect(await page.evaluate(() => typeof (globalThis as { api?: unknown }).api)).toBe('object')
    expect(await electronApp.evaluate(({ app: a }) => a.isPackaged)).toBe(true)
  } finally {
    await electronApp.close()
    await rm(userData, { recursive: true, force: true })
  }
})
