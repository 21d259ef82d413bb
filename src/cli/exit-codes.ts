/**
 * Exit codes of `cax`, documented in the README's "Exit codes" table. Scripts branch on them.
 */
export const ExitCode = {
  /** Everything worked. */
  ok: 0,
  /** An unexpected error (I/O, a bug); the message is on stderr. */
  other: 1,
  /** Bad arguments or unreadable input (unknown flag, missing file, unknown format). */
  invalidInput: 2,
  /** Done, but not everything: rows rejected, files skipped, coverage gaps. */
  partial: 3,
  /** Sign-in or permission failure. */
  auth: 4,
  /** A snapshot failed verification: something in it changed. */
  tampered: 5,
  /**
   * The tenant's audit content subscription is off or not yet serving (AF20022, AF20023): nothing
   * is wrong with the request or the sign-in; start the subscription or wait and run again.
   */
  subscription: 6
} as const

/** One of {@link ExitCode}'s values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]
