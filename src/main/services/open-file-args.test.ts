import { resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

import { PendingOpens, snapshotPathFromArgv, toSnapshotPath } from './open-file-args'

const CWD = resolve('/home/ana/Downloads')

describe('snapshotPathFromArgv', () => {
  it.each<[string, string[], string | null]>([
    ['a packaged double-click', ['/opt/cax/cax', '/tmp/a.caxsnap'], resolve('/tmp/a.caxsnap')],
    ['a relative path', ['/opt/cax/cax', 'b.caxsnap'], resolve(CWD, 'b.caxsnap')],
    ['upper-case extension', ['/opt/cax/cax', '/tmp/A.CAXSNAP'], resolve('/tmp/A.CAXSNAP')],
    ['development: electron .', ['/x/electron', '.', '/tmp/c.caxsnap'], resolve('/tmp/c.caxsnap')],
    [
      'a second instance with Chromium switches',
      [
        '/opt/cax/cax',
        '--allow-file-access-from-files',
        '/tmp/d.caxsnap',
        '--original-process-start-time=1'
      ],
      resolve('/tmp/d.caxsnap')
    ],
    [
      'the last of several',
      ['/opt/cax/cax', '/tmp/1.caxsnap', '/tmp/2.caxsnap'],
      resolve('/tmp/2.caxsnap')
    ],
    ['a file URL', ['/opt/cax/cax', 'file:///tmp/e%20f.caxsnap'], resolve('/tmp/e f.caxsnap')],
    ['no arguments', ['/opt/cax/cax'], null],
    ['only the executable, even if it ends in .caxsnap', ['/tmp/x.caxsnap'], null],
    ['a switch that looks like a file', ['/opt/cax/cax', '--open=/tmp/a.caxsnap'], null],
    ['another extension', ['/opt/cax/cax', '/tmp/a.zip'], null],
    ['an http URL', ['/opt/cax/cax', 'https://evil.example/a.caxsnap'], null],
    ['a UNC-ish smb URL', ['/opt/cax/cax', 'smb://host/share/a.caxsnap'], null],
    ['a control character', ['/opt/cax/cax', '/tmp/a\n.caxsnap'], null],
    ['an empty argument', ['/opt/cax/cax', ''], null]
  ])('%s', (_label, argv, expected) => {
    expect(snapshotPathFromArgv(argv, CWD)).toBe(expected)
  })

  it('refuses overlong arguments', () => {
    expect(toSnapshotPath(`/${'a'.repeat(5000)}.caxsnap`, CWD)).toBeNull()
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
