/**
 * Connector governance: resources derived from connector events (state, sharing, timeline) and
 * explainable findings over them. Pure; runs anywhere.
 */
export * from './actor-history'
export * from './connector-events'
export * from './findings'
export * from './governance-settings'
export * from './principals'
export * from './resources'
