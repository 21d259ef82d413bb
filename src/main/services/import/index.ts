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
export { readCsvAuditRows } from './csv-audit-rows'
export type { CsvItem } from './csv-audit-rows'
export { MemorySeenIds } from './seen-ids'
