/**
 * The acquisition engine (plain Node): Management Activity API sync and Graph history.
 */
export * from './blob-records'
export * from './graph-history'
export * from './memory-sink'
export * from './retry'
export * from './run-plan'
export * from './sync-engine'
export * from './token-bucket'
export * from './types'
export * from './windows'
