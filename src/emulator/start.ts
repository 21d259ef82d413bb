import { readFileSync } from 'node:fs'

import { writeCaFileSync } from './ca-file'
import { parseScenarioFile } from './scenarios'
import { parseStartArgs } from './start-args'

import { KUSTO_DEFAULT_DATABASE, startEmulator } from './index'

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
  // A private folder, never a fixed shared name such as /tmp/cax-emulator-ca-<port>.pem.
  const caFile = writeCaFileSync(emu.caCertPem, args.caFile)
  process.stdout.write(`Emulator: ${emu.urls.authorityHost}\n`)
  process.stdout.write(`CA: ${caFile.path}\n`)
  process.stdout.write(
    `Tenant: ${emu.tenantId}  Client: ${emu.clientId}  Admin: ${emu.users.admin.upn}\n`
  )
  process.stdout.write(
    `Log Analytics: ${emu.urls.logAnalyticsBase}  Workspace: ${emu.workspaceId}\n`
  )
  process.stdout.write(
    `Azure Data Explorer: ${emu.urls.kustoClusterUrl}  Database: ${KUSTO_DEFAULT_DATABASE}\n`
  )
  const stop = (): void => {
    caFile.dispose()
    void emu.close().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`[emulator] ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(2)
})
