/**
 * Streaming import of audit files (Purview / Search-UnifiedAuditLog CSV, JSON arrays, NDJSON).
 */
export { AuditImport, importAuditFile, importAuditStream } from './import-audit-file'
export type { ByteSource } from './import-audit-file'
export { detectEncoding, detectFormat, SNIFF_BYTES } from './detect-format'
export type { CsvColumns, DetectedFormat } from './detect-format'
export { ImportFormatError } from './import-types'
export type {
  ImportBatch,
  ImportEncoding,
  ImportFormat,
  ImportFormatErrorCode,
  ImportOptions,
  ImportRejectCode,
  ImportSummary,
  RejectedRow,
  SeenIds
} from './import-types'
export { JsonRecordSplitter } from './json-record-splitter'
export type { JsonSplitterOptions, SplitItem } from './json-record-splitter'
export { CsvByteRows } from './csv-byte-rows'
export type { CsvByteBatch, CsvByteRowsOptions } from './csv-byte-rows'
export { CsvRowReader } from './csv-row-cells'
export { parseCsvRow } from './parse-csv-row'
export { processRecordBatch } from './record-batch'
export type { CsvCellMap, RecordBatchInput, RecordBatchOutput } from './record-batch'
export { RecordBatchPool, findImportWorker } from './record-batch-pool'
export { MemorySeenIds } from './seen-ids'
