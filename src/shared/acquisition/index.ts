/**
 * The acquisition ledger model and coverage. Runs anywhere.
 */
export * from './coverage'
export * from './file-coverage'
export * from './ledger'
export * from './settle'
