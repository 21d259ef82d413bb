/** How many stable majors Electron supports at once. */
export declare const SUPPORTED_MAJORS: number
/** Days between two Electron majors. */
export declare const CADENCE_DAYS: number
/** Warn (still pass) when support ends within this many days. */
export declare const WARN_DAYS: number
/** Stable release day (UTC, YYYY-MM-DD) of each Electron major. */
export declare const STABLE_RELEASES: Record<number, string>
/** When support for `major` ends (ms since the epoch), and whether that date is estimated. */
export declare function supportEnd(
  major: number,
  releases?: Record<number, string>
): { day: number; isEstimate: boolean; successor: number }
/** The verdict for an Electron version on a day (YYYY-MM-DD). */
export declare function checkElectronSupport(
  version: string,
  today: string,
  releases?: Record<number, string>
): { ok: boolean; message: string }
