import { expect, test } from '../fixtures/app'

test.describe('browser shell access control', () => {
  test.beforeEach(({ app }) => {
    test.skip(app.launcher !== 'web', 'The browser shell is only started by the web launcher')
  })

  test('a browser without the secret gets nothing but a refusal', async ({ app }) => {
    const origin = new URL(app.page.url()).origin
    const page = await app.newStrangerPage!()
    const response = await page.goto(`${origin}/`)
    expect(response?.status()).toBe(401)
    expect(await page.content()).not.toContain('Connector Audit Explorer</span>')
    const wrong = await page.goto(`${origin}/?secret=not-the-secret`)
    expect(wrong?.status()).toBe(401)
    await page.context().close()
  })

  test('the secret is kept in an HttpOnly cookie and removed from the address bar', async ({
    app
  }) => {
    expect(app.page.url()).not.toContain('secret=')
    const cookies = await app.page.context().cookies()
    const session = cookies.find((c) => c.name.startsWith('cax-secret-'))
    expect(session?.httpOnly).toBe(true)
    expect(session?.sameSite).toBe('Strict')
    expect(await app.page.evaluate(() => document.cookie)).toBe('')
  })
})
