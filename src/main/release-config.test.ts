/**
 * Packaging is reviewed like code (STYLE.md rule 25): electron-builder.yml, the release workflow
 * and the packaging scripts are parsed and their structure asserted here, because neither can run
 * on this machine (no Electron binary, no hosted runners).
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'
import { parseDocument } from 'yaml'

import { SNAPSHOT_EXTENSION } from '../shared/snapshot/snapshot-format'

import { KEYCHAIN_SERVICE } from './platform/keytar-secret-store'
import { AUDIT_FILE_EXTENSIONS } from './services/open-file/open-file-kind'

const ROOT = join(import.meta.dirname, '..', '..')
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8')

function parseYaml(path: string): Record<string, unknown> {
  const doc = parseDocument(read(path), { prettyErrors: true, uniqueKeys: true })
  expect(doc.errors.map((e) => e.message)).toEqual([])
  expect(doc.warnings.map((e) => e.message)).toEqual([])
  return doc.toJS() as Record<string, unknown>
}

type Json = Record<string, unknown>
const obj = (value: unknown): Json => {
  expect(value).toBeTypeOf('object')
  return value as Json
}
const targets = (platform: unknown): { target: string; arch: string[] }[] =>
  obj(platform)['target'] as { target: string; arch: string[] }[]

describe('electron-builder.yml', () => {
  const config = parseYaml('electron-builder.yml')

  it('has a stable appId that matches the keychain service name', () => {
    expect(config['appId']).toBe('com.connectorauditexplorer.app')
    expect(config['appId']).toBe(KEYCHAIN_SERVICE)
    expect(config['productName']).toBe(JSON.parse(read('package.json')).productName)
  })

  it('packs the build, never the packaging inputs, and unpacks native modules', () => {
    expect(obj(config['directories'])).toEqual({
      buildResources: 'resources/installer',
      output: 'dist'
    })
    const files = config['files'] as string[]
    expect(files).toEqual([
      'out/**',
      '!out/**/*.map',
      '!out/main/web-test-hooks.js',
      'resources/icon.png',
      '!resources/installer/**',
      'package.json'
    ])
    // `files` patterns also filter node_modules: an unanchored `!**/src/**` once stripped
    // debug/src (electron-updater → builder-util-runtime → debug) from the package.
    expect(files.filter((f) => f.startsWith('!**'))).toEqual([])
    expect(config['asar']).toBe(true)
    expect(config['asarUnpack']).toEqual(['**/*.node'])
    expect(config['npmRebuild']).toBe(true)
  })

  it('sets the release fuses', () => {
    expect(obj(config['electronFuses'])).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false
    })
  })

  it('builds NSIS (per user or per machine) and a per-machine MSI with a fixed upgradeCode', () => {
    expect(targets(config['win'])).toEqual([
      { target: 'nsis', arch: ['x64'] },
      { target: 'msi', arch: ['x64'] }
    ])
    expect(obj(config['nsis'])).toMatchObject({
      oneClick: false,
      perMachine: false,
      allowElevation: true,
      deleteAppDataOnUninstall: false
    })
    const msi = obj(config['msi'])
    expect(msi['perMachine']).toBe(true)
    expect(msi['upgradeCode']).toBe('6d822bd2-15aa-4118-b0f3-52bfbf3058d9')
  })

  it('builds a hardened, notarized DMG and zip for x64 and arm64 with minimal entitlements', () => {
    const mac = obj(config['mac'])
    expect(targets(mac)).toEqual([
      { target: 'dmg', arch: ['x64', 'arm64'] },
      { target: 'zip', arch: ['x64', 'arm64'] }
    ])
    expect(mac['hardenedRuntime']).toBe(true)
    expect(mac['notarize']).toBe(true)
    expect(mac['entitlements']).toBe('resources/installer/entitlements.mac.plist')
    const plist = read('resources/installer/entitlements.mac.plist')
    expect([...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1])).toEqual([
      'com.apple.security.cs.allow-jit'
    ])
  })

  it('builds an AppImage and a deb that depends on libsecret', () => {
    expect(targets(config['linux'])).toEqual([
      { target: 'AppImage', arch: ['x64'] },
      { target: 'deb', arch: ['x64'] }
    ])
    expect(obj(config['deb'])['depends']).toContain('libsecret-1-0')
  })

  it('associates snapshot files and publishes to a feed electron-updater reads', () => {
    const [association] = config['fileAssociations'] as Json[]
    expect(`.${String(association?.['ext'])}`).toBe(SNAPSHOT_EXTENSION)
    expect(obj(config['publish'])['provider']).toBe('github')
  })

  it('offers the app for audit exports in "Open with" without taking them over', () => {
    const audit = (config['fileAssociations'] as Json[])[1]!
    const extensions = (audit['ext'] as string[]).map((ext) => `.${ext}`)
    // The OS hands the app exactly the files its open-file routing reads as audit files.
    expect(extensions.sort()).toEqual([...AUDIT_FILE_EXTENSIONS].sort())
    expect(audit['role']).toBe('Viewer')
    expect(audit['rank']).toBe('Alternate')
  })

  it('has real icons in the build resources', () => {
    const sizes = (file: string): number => statSync(join(ROOT, file)).size
    expect(read('resources/icon.svg')).toContain('<svg')
    expect(
      readFileSync(join(ROOT, 'resources/installer/icon.icns')).subarray(0, 4).toString()
    ).toBe('icns')
    // ICO header: reserved 0, type 1.
    expect([...readFileSync(join(ROOT, 'resources/installer/icon.ico')).subarray(0, 4)]).toEqual([
      0, 0, 1, 0
    ])
    for (const png of [
      'resources/icon.png',
      'resources/installer/icon.png',
      'resources/installer/icons/256x256.png',
      'resources/installer/icons/512x512.png'
    ]) {
      expect(readFileSync(join(ROOT, png)).subarray(1, 4).toString()).toBe('PNG')
      expect(sizes(png)).toBeGreaterThan(500)
    }
  })

  it('holds no secrets', () => {
    const text = read('electron-builder.yml')
    expect(text).not.toMatch(/^\s*(cscLink|cscKeyPassword|token|password|appleId\w*)\s*:/im)
    expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY|ghp_[A-Za-z0-9]{20}/)
  })
})

describe('.github/workflows/release.yml', () => {
  const workflow = parseYaml('.github/workflows/release.yml')
  const job = obj(obj(workflow['jobs'])['package'])
  const steps = job['steps'] as Json[]
  const runs = steps.map((s) => String(s['run'] ?? ''))

  it('runs on Windows, macOS and Linux hosted runners', () => {
    expect(job['runs-on']).toBe('${{ matrix.os }}')
    const include = obj(obj(job['strategy'])['matrix'])['include'] as Json[]
    expect(include.map((m) => [m['os'], m['target']])).toEqual([
      ['windows-latest', 'win'],
      ['macos-latest', 'mac'],
      ['ubuntu-latest', 'linux']
    ])
  })

  it('installs, tests, builds installers and runs the Electron e2e under xvfb on Linux', () => {
    const order = (pattern: RegExp): number => runs.findIndex((r) => pattern.test(r))
    const steps = [
      /npm ci/,
      /npx install-electron/,
      /npm run lint/,
      /npm test/,
      /xvfb-run .*npm run test:e2e/,
      /npm run build:\$\{\{ matrix\.target \}\}/
    ].map(order)
    expect(steps.every((i) => i >= 0)).toBe(true)
    expect([...steps].sort((a, b) => a - b)).toEqual(steps)
    const e2e = (job['steps'] as Json[]).find((s) => /xvfb-run/.test(String(s['run'])))
    expect(e2e?.['if']).toBe("runner.os == 'Linux'")
    expect(String(e2e?.['run'])).toMatch(/npm run build:unpack/)
  })

  it('takes secrets only from ${{ secrets.X }} and never inlines one', () => {
    const text = read('.github/workflows/release.yml')
    expect(text).not.toMatch(
      /BEGIN [A-Z ]*PRIVATE KEY|ghp_[A-Za-z0-9]{20}|[A-Za-z0-9+/]{60,}={0,2}/
    )
    // Nothing reaches the renderer bundle through VITE_* variables.
    expect(text).not.toMatch(/^\s*\w*VITE_\w*\s*:/m)
    const envs: Json[] = [workflow['env'], job['env'], ...steps.map((s) => s['env'])]
      .filter((e) => e !== undefined)
      .map(obj)
    const secretish = /TOKEN|SECRET|PASSWORD|CSC_LINK|APPLE_API|AZURE_|_P8/
    let checked = 0
    for (const env of envs) {
      for (const [name, value] of Object.entries(env)) {
        if (secretish.test(name)) {
          checked += 1
          expect(String(value), name).toMatch(/^\$\{\{ [^}]*\b(secrets|vars)\.[A-Z_]+[^}]*\}\}$/)
        }
      }
    }
    expect(checked).toBeGreaterThan(10)
    // Every secret reference is an expression, not a literal.
    for (const match of text.matchAll(/secrets\.[A-Za-z_]+/g)) {
      const line = text.slice(
        text.lastIndexOf('\n', match.index) + 1,
        text.indexOf('\n', match.index)
      )
      expect(line).toMatch(/\$\{\{[^}]*secrets\.[A-Za-z_]+[^}]*\}\}/)
    }
  })
})

describe('package.json packaging scripts', () => {
  const pkg = JSON.parse(read('package.json')) as {
    scripts: Record<string, string>
    dependencies: Record<string, string>
    devDependencies: Record<string, string>
  }

  it.each(['build:win', 'build:mac', 'build:linux', 'build:unpack'])(
    '%s builds first, then packages',
    (script) => {
      expect(pkg.scripts[script]).toMatch(/^npm run build && electron-builder /)
    }
  )

  it('pins electron-builder 26.x and ships electron-updater', () => {
    expect(pkg.devDependencies['electron-builder']).toMatch(/^26\.\d+\.\d+$/)
    expect(pkg.dependencies['electron-updater']).toMatch(/^\d+\.\d+\.\d+$/)
    expect(pkg.dependencies['electron-builder']).toBeUndefined()
  })

  it('scans the built app with Electronegativity, offline', () => {
    expect(pkg.scripts['security:scan']).toBe('node scripts/security-scan.mjs')
    const scan = readFileSync(join(ROOT, 'scripts/security-scan.mjs'), 'utf8')
    expect(scan).toContain("['-i', 'out', '-r'")
    // The network-using AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK, by its class name (the CLI's spelling).
    expect(scan).toContain("'-x', 'AvailableSecurityFixesGlobalCheck'")
    // The Electron version it checks against is the one package.json pins, read at run time.
    expect(scan).toContain('manifest.devDependencies?.electron')
    expect(scan).not.toMatch(/\b\d+\.\d+\.\d+\b/)
    expect(existsSync(join(ROOT, 'node_modules/@doyensec/electronegativity'))).toBe(true)
  })
})
