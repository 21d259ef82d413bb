import { userInfo } from 'node:os'

import { FileStore } from '../../main/services/store/file-store'
import {
  appendAcquisitionLog,
  nodeSha256,
  readAcquisitionLog,
  writeSnapshot
} from '../../main/services/snapshot'
import { nextLogEntry } from '../../shared/snapshot'
import type { CliIo } from '../cli-io'
import { appVersion } from '../app-version'
import {
  flag,
  guard,
  parseCommandArgs,
  progress,
  requiredOption,
  resolvePath,
  stringOption,
  writeJsonSummary
} from '../command-kit'
import { ExitCode } from '../exit-codes'

/** Usage of `cax snapshot`. */
export const USAGE = `usage: cax snapshot --store <dir> --out <file> [--actor <name>] [--json]

Writes a verifiable snapshot of a store: one zip holding the records (raw text preserved), the
completeness ledger, annotations, the hash-chained acquisition log and a manifest with the size
and SHA-256 of every part. Prints the snapshot's fingerprint (the manifest's SHA-256): hand it
to the recipient, who checks it with \`cax verify <file> --expect <fingerprint>\`.

  --store <dir>    the store folder
  --out <file>     the snapshot file to write (conventionally *.caxsnap)
  --actor <name>   who made the snapshot, for the acquisition log (default: the OS user)
  --json           print a JSON summary as the last line of stdout
  -h, --help       this help

exit codes: 0 written; 2 bad arguments; 1 other errors (including a broken acquisition log)
`

/** `cax snapshot`: writes a snapshot of a store. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  return guard(io, 'snapshot', USAGE, async () => {
    const args = parseCommandArgs(
      argv,
      { store: { type: 'string' }, out: { type: 'string' }, actor: { type: 'string' } },
      false
    )
    if (flag(args, 'help')) {
      io.stdout.write(USAGE)
      return ExitCode.ok
    }
    const storeDir = resolvePath(io, requiredOption(args, 'store'))
    const out = resolvePath(io, requiredOption(args, 'out'))
    const actor =
      stringOption(args, 'actor') ?? io.env.USER ?? io.env.USERNAME ?? userInfo().username
    const store = await FileStore.open(storeDir)
    try {
      const history = await readAcquisitionLog(storeDir)
      const at = new Date()
      const input = {
        at: at.toISOString(),
        actor,
        action: 'snapshot',
        source: storeDir,
        parameters: { out },
        counts: { records: store.size }
      }
      // The snapshot's own log ends with its creation; the store's log records it too.
      const log = [...history, nextLogEntry(history, input, nodeSha256)]
      progress(io, 'snapshot', `writing ${store.size} records to ${out}…`)
      const result = await writeSnapshot(out, {
        records: store.records(),
        ledger: await store.ledger(),
        annotations: {},
        acquisitionLog: log,
        appVersion: appVersion(),
        createdAt: at
      })
      await appendAcquisitionLog(storeDir, input)
      progress(io, 'snapshot', `fingerprint ${result.fingerprint}`)
      if (flag(args, 'json')) {
        writeJsonSummary(io, {
          command: 'snapshot',
          path: result.path,
          records: result.manifest.recordCount,
          parts: result.manifest.parts.length,
          fingerprint: result.fingerprint
        })
      } else {
        io.stdout.write(`${result.path}\nfingerprint ${result.fingerprint}\n`)
      }
      return ExitCode.ok
    } finally {
      await store.close()
    }
  })
}
