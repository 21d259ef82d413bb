import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    // A ceiling for a hung test, not a budget: integration tests (emulator over HTTPS, real MSAL,
    // child processes) take seconds idle and much longer on a busy shared 2-core machine, where a
    // 20 s limit failed pull and pull-adx tests that were only slow.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // ArrayBuffer.prototype.transfer, as in Chromium (Node 20 has it behind this flag): the
    // query worker gives arrays it replaces back at once by detaching them (scratch.ts
    // `freeNow`), so a part of the index still viewing one would read it empty here too.
    execArgv: ['--harmony-rab-gsab-transfer']
  }
})
