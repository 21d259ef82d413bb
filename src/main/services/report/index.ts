/**
 * Review packs (XLSX + printable HTML) written from a store or a snapshot.
 */
export { writeReviewPack } from './review-pack-writer'
export type { ReviewPackOptions, ReviewPackResult, ReviewPackSource } from './review-pack-writer'
