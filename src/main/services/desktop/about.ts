/**
 * The About box's content, built from plain facts so it is tested without Electron; the glue in
 * src/main/platform/about-dialog.ts shows it with `dialog.showMessageBox`.
 */

/** What the About box shows. */
export interface AboutFacts {
  name: string
  version: string
  /** `process.versions.electron`, `.chrome`, `.node`, `.v8`. */
  electron: string | undefined
  chrome: string | undefined
  node: string | undefined
  v8: string | undefined
  platform: string
  arch: string
  /** The `license` field of package.json. */
  license: string
}

/** The message box options the glue passes on: title, headline, detail text and buttons. */
export interface AboutContent {
  title: string
  message: string
  detail: string
  buttons: [ok: string, copy: string]
}

/** Builds the About box: name and version as the headline, runtime versions and licence below. */
export function buildAboutContent(facts: AboutFacts): AboutContent {
  const license =
    facts.license === 'UNLICENSED'
      ? 'Proprietary (all rights reserved)'
      : facts.license.length > 0
        ? facts.license
        : 'unknown'
  const detail = [
    `Version ${facts.version}`,
    `Electron ${facts.electron ?? '—'}`,
    `Chromium ${facts.chrome ?? '—'}`,
    `Node.js ${facts.node ?? '—'}`,
    `V8 ${facts.v8 ?? '—'}`,
    `OS ${facts.platform} ${facts.arch}`,
    '',
    `License: ${license}`
  ].join('\n')
  return {
    title: `About ${facts.name}`,
    message: `${facts.name} ${facts.version}`,
    detail,
    buttons: ['OK', 'Copy details']
  }
}
