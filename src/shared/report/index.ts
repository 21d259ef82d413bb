/**
 * The review pack: its content model (one pass over records), its sheets as data, and its
 * printable HTML rendering. Pure; the XLSX file is written in main.
 */
export * from './review-pack'
export * from './review-pack-html'
export * from './review-pack-sheets'
