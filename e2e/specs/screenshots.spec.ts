import { join } from 'node:path'

import { expect, test } from '../fixtures/app'
import { ROOT } from '../fixtures/launchers'
import { FramePage } from '../pages/frame-page'

// `npm run screenshots` sets CAX_SCREENSHOTS=1 and refreshes the README's pictures; otherwise the
// pictures go to test-results so a normal run never dirties the work tree.
const docsDir = process.env['CAX_SCREENSHOTS'] === '1' ? join(ROOT, 'docs', 'screenshots') : null

test('renders the main screens in light and dark', async ({ app }, testInfo) => {
  test.skip(app.launcher !== 'web', 'README screenshots come from the browser shell')
  const dir = docsDir ?? testInfo.outputDir
  const frame = new FramePage(app.page)
  await app.page.setViewportSize({ width: 1280, height: 720 })
  for (const scheme of ['light', 'dark'] as const) {
    await app.page.emulateMedia({ colorScheme: scheme })
    await expect(frame.emptyState).toBeVisible()
    await app.page.screenshot({ path: join(dir, `frame-${scheme}.png`) })
  }
})
