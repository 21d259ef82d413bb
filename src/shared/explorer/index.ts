/**
 * Explorer logic shared by the grid and the CLI: search syntax and value stacking. Pure.
 */
export * from './search-syntax'
export * from './stacking'
