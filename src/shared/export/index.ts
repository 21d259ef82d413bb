/**
 * Exporters shared by the app and the CLI: CSV (Excel-safe, streaming, split at Excel's row
 * limit), lossless NDJSON, column sets as data. Runs anywhere; file I/O lives in main.
 */
export * from './cell-formatter'
export * from './cell-safety'
export * from './columns'
export * from './csv-export'
export * from './export-summary'
export * from './ndjson-export'
export * from './record-annotation'
export * from './time-zone'
