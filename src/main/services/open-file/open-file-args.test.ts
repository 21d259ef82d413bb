import { resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

import { openedPathsFromArgv, PendingOpens, toOpenedPath } from './open-file-args'

const CWD = resolve('/home/ana/Downloads')

describe('openedPathsFromArgv', () => {
  it.each<[string, string[], string[]]>([
    ['a packaged double-click', ['/opt/cax/cax', '/tmp/a.caxsnap'], [resolve('/tmp/a.caxsnap')]],
    ['a relative path', ['/opt/cax/cax', 'b.csv'], [resolve(CWD, 'b.csv')]],
    [
      'any extension (the content decides)',
      ['/opt/cax/cax', '/tmp/export.txt'],
      [resolve('/tmp/export.txt')]
    ],
    [
      'development: electron . (the folder is dropped later: not a file)',
      ['/x/electron', '.', '/tmp/c.caxsnap'],
      [CWD, resolve('/tmp/c.caxsnap')]
    ],
    [
      'a second instance with Chromium switches',
      [
        '/opt/cax/cax',
        '--allow-file-access-from-files',
        '/tmp/d.ndjson',
        '--original-process-start-time=1'
      ],
      [resolve('/tmp/d.ndjson')]
    ],
    [
      'several, in order, each once',
      ['/opt/cax/cax', '/tmp/1.csv', '/tmp/2.caxsnap', '/tmp/1.csv'],
      [resolve('/tmp/1.csv'), resolve('/tmp/2.caxsnap')]
    ],
    ['a file URL', ['/opt/cax/cax', 'file:///tmp/e%20f.csv'], [resolve('/tmp/e f.csv')]],
    ['no arguments', ['/opt/cax/cax'], []],
    ['only the executable', ['/tmp/x.caxsnap'], []],
    ['a switch that looks like a file', ['/opt/cax/cax', '--open=/tmp/a.caxsnap'], []],
    ['an http URL', ['/opt/cax/cax', 'https://evil.example/a.caxsnap'], []],
    ['a UNC-ish smb URL', ['/opt/cax/cax', 'smb://host/share/a.csv'], []],
    ['a control character', ['/opt/cax/cax', '/tmp/a\n.caxsnap'], []],
    ['an empty argument', ['/opt/cax/cax', ''], []]
  ])('%s', (_label, argv, expected) => {
    expect(openedPathsFromArgv(argv, CWD)).toEqual(expected)
  })

  it('refuses overlong arguments', () => {
    expect(toOpenedPath(`/${'a'.repeat(5000)}.caxsnap`, CWD)).toBeNull()
  })
})

describe('PendingOpens', () => {
  it('queues until ready (without duplicates), then delivers directly', () => {
    const pending = new PendingOpens()
    pending.open('/a.caxsnap')
    pending.open('/b.caxsnap')
    pending.open('/a.caxsnap')
    const seen: string[] = []
    pending.ready((p) => seen.push(p))
    expect(seen).toEqual(['/a.caxsnap', '/b.caxsnap'])
    pending.open('/c.caxsnap')
    expect(seen).toEqual(['/a.caxsnap', '/b.caxsnap', '/c.caxsnap'])
  })

  it('queues again once the window is gone, for the next window to receive', () => {
    const pending = new PendingOpens()
    const first: string[] = []
    pending.ready((p) => first.push(p))
    pending.suspend()
    pending.open('/late.caxsnap')
    expect(first).toEqual([])
    const second: string[] = []
    pending.ready((p) => second.push(p))
    expect(second).toEqual(['/late.caxsnap'])
  })
})
