/**
 * The snapshot format: parts, manifest, hash-chained acquisition log and verification logic.
 * Runs anywhere; the zip I/O lives in src/main/services/snapshot.
 */
export * from './acquisition-log'
export * from './canonical-json'
export * from './manifest'
export * from './sha256'
export * from './snapshot-format'
export * from './verify-snapshot'
export * from './snapshot-limits'
