import { pathToFileURL } from 'node:url'

import { expect, test } from '../fixtures/app'
import {
  launchChromium,
  startWebShellProcess,
  writeStartupRedirectFile
} from '../fixtures/launchers'

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
