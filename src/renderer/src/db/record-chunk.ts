/** The cache's chunk layout lives in src/shared/cache (main packs chunks for the hand-over). */
export * from '../../../shared/cache/record-chunk'
