import { readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { parseScenarioFile } from './scenarios'
import { parseStartArgs } from './start-args'

import { startEmulator } from './index'

/** Standalone entry: starts the emulator and prints where it listens and the CA file. */
export async function main(argv: readonly string[]): Promise<void> {
  const args = parseStartArgs(argv)
  const scenario = args.scenarioFile
    ? parseScenarioFile(readFileSync(args.scenarioFile, 'utf8'), args.scenarioFile)
    : args.scenario
  const emu = await startEmulator({
    port: args.port,
    scenario,
    seed: args.seed,
    testHooks: args.testHooks,
    ...(args.now ? { now: args.now } : {}),
    ...(args.requestLogLimit !== undefined ? { requestLogLimit: args.requestLogLimit } : {})
  })
  const port = new URL(emu.urls.authorityHost).port
  const caFile = args.caFile ?? join(tmpdir(), `cax-emulator-ca-${port}.pem`)
  writeFileSync(caFile, emu.caCertPem, { mode: 0o644 })
  process.stdout.write(`Emulator: ${emu.urls.authorityHost}\n`)
  process.stdout.write(`CA: ${caFile}\n`)
  process.stdout.write(
    `Tenant: ${emu.tenantId}  Client: ${emu.clientId}  Admin: ${emu.users.admin.upn}\n`
  )
  const stop = (): void => {
    void emu.close().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`[emulator] ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(2)
})
