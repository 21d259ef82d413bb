// Types of governance-records.mjs for the TypeScript bench entries that import it.

/** The benchmark tenant's id. */
export declare const TENANT: string
/** The first record's time (ms since the epoch). */
export declare const START: number
/** The span the records cover (ms). */
export declare const SPAN: number
/** A deterministic GUID-shaped id for `n`. */
export declare function guid(n: number, prefix?: string): string
/** The `rows` records, one Management Activity API object each (the same on every call). */
export declare function governanceRecords(rows: number): Generator<Record<string, unknown>>
/** Writes `rows` records as NDJSON to `file` (the same records on every call). */
export declare function writeGovernanceNdjson(file: string, rows: number): Promise<void>
