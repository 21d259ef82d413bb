/**
 * Review packs (XLSX + printable HTML) written from a store or a snapshot.
 */
export { writeReviewPack } from './review-pack-writer'
export type { ReviewPackOptions, ReviewPackResult, ReviewPackSource } from './review-pack-writer'
export { ReviewPackExports } from './review-pack-exports'
export type { ReviewPackExportsDeps, ReviewPackWritten } from './review-pack-exports'
