/**
 * A click-through from another view (a finding, a resource's timeline) to exactly some records:
 * the Explorer shows those records and nothing else until the focus is cleared.
 */
export interface RecordFocus {
  /** What the records are, in words (`Custom API created and deleted within a day: 2 records`). */
  label: string
  recordIds: string[]
  /** Grows with every click-through, so the same records asked twice apply twice. */
  seq: number
}
