#!/usr/bin/env node
/**
 * `cax` entry point: built to out/main/cli.js (electron-vite main input `cli`), runs under plain
 * Node — nothing here or in the commands may import electron.
 */
import { runCli } from './cli'
import { processIo } from './cli-io'
import { ExitCode } from './exit-codes'

runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`cax: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = ExitCode.other
  }
)
