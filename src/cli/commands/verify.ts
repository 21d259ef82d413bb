import { access } from 'node:fs/promises'

import { verifySnapshot } from '../../main/services/snapshot'
import type { CliIo } from '../cli-io'
import {
  flag,
  guard,
  InputError,
  parseCommandArgs,
  resolvePath,
  stringOption,
  UsageError,
  writeJsonSummary
} from '../command-kit'
import { ExitCode } from '../exit-codes'

/** Usage of `cax verify`. */
export const USAGE = `usage: cax verify <snapshot> [--expect <fingerprint>] [--json]

Verifies a snapshot: every part's size and SHA-256 against the manifest, no part removed or
added, the manifest unedited (canonical form and its own SHA-256), the acquisition log's hash
chain and head, and the record count. Each failure names the part it concerns.

  --expect <sha256>   the fingerprint the sender gave you (catches a rewritten manifest)
  --json              print a JSON summary as the last line of stdout
  -h, --help          this help

exit codes: 0 intact; 5 tampered or damaged (the failing parts are named); 2 bad arguments or
file not found; 1 other errors
`

/** `cax verify`: checks a snapshot and names every part that changed. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  return guard(io, 'verify', USAGE, async () => {
    const args = parseCommandArgs(argv, { expect: { type: 'string' } }, true)
    if (flag(args, 'help')) {
      io.stdout.write(USAGE)
      return ExitCode.ok
    }
    const [file, ...extra] = args.positionals
    if (file === undefined || extra.length > 0) {
      throw new UsageError('give exactly one snapshot file')
    }
    const path = resolvePath(io, file)
    try {
      await access(path)
    } catch {
      throw new InputError(`cannot read ${path}: no such file, or no permission`)
    }
    const expected = stringOption(args, 'expect')
    const report = await verifySnapshot(
      path,
      expected === undefined ? {} : { expectedFingerprint: expected }
    )
    for (const f of report.failures) {
      io.stderr.write(`FAILED ${f.part}: ${f.message}\n`)
    }
    if (flag(args, 'json')) {
      writeJsonSummary(io, {
        command: 'verify',
        ok: report.ok,
        fingerprint: report.fingerprint,
        records: report.manifest?.recordCount ?? null,
        verifiedParts: report.verifiedParts,
        failedParts: [...new Set(report.failures.map((f) => f.part))],
        failures: report.failures
      })
    } else if (report.ok) {
      io.stdout.write(
        `OK ${path}\n${report.manifest?.recordCount ?? 0} records, ${report.verifiedParts.length} parts verified\nfingerprint ${report.fingerprint ?? ''}\n`
      )
    } else {
      io.stdout.write(
        `TAMPERED ${path}: ${[...new Set(report.failures.map((f) => f.part))].join(', ')}\n`
      )
    }
    return report.ok ? ExitCode.ok : ExitCode.tampered
  })
}
