/**
 * Node file sinks for the shared exporters, and the XLSX writer (ExcelJS streaming, Node-only).
 */
export { writeCsvFiles, writeTextFile } from './file-sinks'
export type { WrittenFile } from './file-sinks'
export { hashFile, writeXlsxExport } from './xlsx-export'
export type { XlsxExportOptions, XlsxExportResult } from './xlsx-export'
export { writeXlsxWorkbook } from './xlsx-workbook'
export type { XlsxSheet, XlsxSheetResult, XlsxWorkbookResult } from './xlsx-workbook'
