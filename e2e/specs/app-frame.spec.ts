import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { expect, test } from '../fixtures/app'
import { ROOT } from '../fixtures/launchers'
import { FramePage } from '../pages/frame-page'

const version = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version

test('shows the app frame with its transport and version', async ({ app }) => {
  const frame = new FramePage(app.page)
  await expect(frame.emptyState).toBeVisible()
  await expect(frame.version).toHaveText(`v${version}`)
  await expect(frame.transport).toHaveText(
    app.launcher === 'web' ? 'Browser shell (HTTP)' : 'Desktop app (IPC)'
  )
})

test('runs under the Content-Security-Policy without violations', async ({ app }) => {
  const violations: string[] = []
  app.page.on('console', (message) => {
    if (message.type() === 'error') {
      violations.push(message.text())
    }
  })
  await app.reload()
  await app.page.locator('[data-app-state="ready"]').waitFor()
  const csp = await app.page
    .locator('meta[http-equiv="Content-Security-Policy"]')
    .getAttribute('content')
  expect(csp).toContain("script-src 'self'")
  expect(violations).toEqual([])
})

test('follows the system theme, and a chosen theme wins and survives a reload', async ({ app }) => {
  const frame = new FramePage(app.page)
  await app.page.emulateMedia({ colorScheme: 'dark' })
  await expect.poll(() => frame.backgroundColor()).toBe('rgb(22, 24, 28)')
  await app.page.emulateMedia({ colorScheme: 'light' })
  await expect.poll(() => frame.backgroundColor()).toBe('rgb(247, 248, 250)')

  await frame.themePicker.selectOption('dark')
  await expect.poll(() => frame.backgroundColor()).toBe('rgb(22, 24, 28)')

  await app.reload()
  await app.page.locator('[data-app-state="ready"]').waitFor()
  await expect(frame.themePicker).toHaveValue('dark')
  await expect.poll(() => frame.backgroundColor()).toBe('rgb(22, 24, 28)')
})

test('opens external links in the system browser, never inside the app', async ({ app }) => {
  const frame = new FramePage(app.page)
  const readOpened = await app.recordExternalOpens()
  const appUrl = app.page.url()
  await frame.docsLink.click()
  await expect.poll(readOpened).toEqual([await frame.docsLink.getAttribute('href')])
  expect(app.page.url()).toBe(appUrl)
})
