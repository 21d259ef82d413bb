import { describe, expect, it } from 'vitest'

import { buildAboutContent, type AboutFacts } from './about'

const FACTS: AboutFacts = {
  name: 'Connector Audit Explorer',
  version: '0.1.0',
  electron: '45.5.0',
  chrome: '142.0.7444.52',
  node: '22.20.0',
  v8: '14.2.231.14-electron.0',
  platform: 'win32',
  arch: 'x64',
  license: 'UNLICENSED'
}

describe('buildAboutContent', () => {
  it('shows name, version, runtime versions and the licence', () => {
    expect(buildAboutContent(FACTS)).toEqual({
      title: 'About Connector Audit Explorer',
      message: 'Connector Audit Explorer 0.1.0',
      detail: [
        'Version 0.1.0',
        'Electron 45.5.0',
        'Chromium 142.0.7444.52',
        'Node.js 22.20.0',
        'V8 14.2.231.14-electron.0',
        'OS win32 x64',
        '',
        'License: Proprietary (all rights reserved)'
      ].join('\n'),
      buttons: ['OK', 'Copy details']
    })
  })

  it('names an SPDX licence as is and tolerates missing versions', () => {
    const content = buildAboutContent({
      ...FACTS,
      license: 'MIT',
      electron: undefined,
      v8: undefined
    })
    expect(content.detail).toContain('License: MIT')
    expect(content.detail).toContain('Electron —')
    expect(content.detail).toContain('V8 —')
  })
})
