import { pathToFileURL } from 'node:url'

import { request } from '@playwright/test'

import { expect, test } from '../fixtures/app'
import {
  launchChromium,
  startWebShellProcess,
  writeStartupRedirectFile
} from '../fixtures/launchers'
import { ExplorerPage } from '../pages/explorer-page'
import { SyncPage } from '../pages/sync-page'

test.describe('browser shell access control', () => {
  test.beforeEach(({ app }) => {
    test.skip(app.launcher !== 'web', 'The browser shell is only started by the web launcher')
  })

  test('a browser without the session gets nothing but a refusal', async ({ app }) => {
    const origin = new URL(app.page.url()).origin
    const page = await app.newStrangerPage!()
    const response = await page.goto(`${origin}/`)
    expect(response?.status()).toBe(401)
    expect(await page.content()).not.toContain('Connector Audit Explorer</span>')
    const wrong = await page.goto(`${origin}/?secret=not-the-secret`)
    expect(wrong?.status()).toBe(401)
    await page.context().close()
  })

  test('the start-up link works once: a second browser gets a page saying it was used', async ({
    app
  }) => {
    const page = await app.newStrangerPage!()
    const reply = await page.goto(app.usedLink!)
    expect(reply?.status()).toBe(410)
    await expect(page.getByRole('heading', { name: 'This link was already used' })).toBeVisible()
    expect((await page.context().cookies()).length).toBe(0)
    await page.context().close()
  })

  test('the session is an HttpOnly cookie apart from the link, which leaves the address bar', async ({
    app
  }) => {
    expect(app.page.url()).not.toContain('secret=')
    const cookies = await app.page.context().cookies()
    const session = cookies.find((c) => c.name.startsWith('cax-session-'))
    expect(session?.httpOnly).toBe(true)
    expect(session?.sameSite).toBe('Strict')
    expect(session?.value).not.toBe(new URL(app.usedLink!).searchParams.get('secret'))
    expect(await app.page.evaluate(() => document.cookie)).toBe('')
  })
})

test('the browser opened on the private redirect file lands in the app', async () => {
  // What `npm run start:web` does: the browser gets a file:// page, never the link itself.
  const shell = await startWebShellProcess()
  const browser = await launchChromium()
  const redirect = await writeStartupRedirectFile(shell.openUrl)
  try {
    const page = await (await browser.newContext()).newPage()
    await page.goto(pathToFileURL(redirect.file).href)
    await page.waitForURL(`${new URL(shell.openUrl).origin}/`)
    await page.locator('[data-app-state="ready"]').waitFor()
  } finally {
    await redirect.dispose()
    await browser.close()
    await shell.stop()
  }
})

test.describe('the demo emulator’s test surface', () => {
  // The variable that once opened it: the shipped entry point reads no such switch.
  test.use({ appEnv: { CAX_DEMO_TEST_HOOKS: '1' } })

  test('stays closed in the shipped browser shell, whatever the environment says', async ({
    app
  }) => {
    test.skip(app.launcher !== 'web', 'reads the in-process demo emulator of the browser shell')
    // Waits are on the app's state; this limit is only the backstop for a hang on a loaded box.
    test.setTimeout(20 * 60_000)
    const explorer = new ExplorerPage(app.page)
    const sync = new SyncPage(app.page)
    await explorer.emptyState.waitFor()
    expect(await sync.startDemo()).toMatch(/^(complete|partial)$/)
    await expect(explorer.status).toContainText(' records', { timeout: 120_000 })
    // This run's demo emulator, as the app shows it (another run may hold the preferred port).
    await app.page.getByRole('button', { name: 'Send to…' }).click()
    const panel = app.page.getByRole('dialog', { name: 'Send to' })
    await panel
      .getByRole('combobox', { name: 'Destination' })
      .selectOption({ label: 'Demo Azure Data Explorer (Contoso)' })
    const cluster = (await panel.getByTestId('send-target').getAttribute('data-cluster')) ?? ''
    expect(cluster).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/kusto$/)
    const emulator = await request.newContext({ ignoreHTTPSErrors: true })
    try {
      const origin = new URL(cluster).origin
      // The emulator answers (its sign-in metadata), but not on /_test.
      const metadata = await emulator.get(`${origin}/common/v2.0/.well-known/openid-configuration`)
      expect(metadata.status()).toBe(200)
      const clock = await emulator.get(`${origin}/_test/clock`)
      expect(clock.status()).toBe(404)
      expect(await clock.text()).toContain('Test hooks are disabled')
    } finally {
      await emulator.dispose()
    }
  })
})
