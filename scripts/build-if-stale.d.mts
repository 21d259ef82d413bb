/** The repository root. */
export declare const root: string
/** Builds the app when out/ is missing or stale; returns whether a build ran. */
export declare function buildIfStale(): boolean
