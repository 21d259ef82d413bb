/**
 * The audit record model, normalizer, activity catalog and field descriptions. Runs anywhere.
 */
export * from './activity-catalog'
export * from './audit-time'
export * from './field-descriptions'
export * from './normalize-record'
export * from './normalized-record'
export * from './record-schema'
export * from './record-types'
export * from './user-types'
