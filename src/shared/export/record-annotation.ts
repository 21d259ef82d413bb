/**
 * Annotations: the analyst's layer on top of the read-only evidence, keyed by the stable audit
 * record Id (reference/what-users-want.md §4 item 12).
 */

/** Tags and a comment on one record. */
export interface RecordAnnotation {
  /** Tags in the order the analyst added them. */
  tags: string[]
  /** Free text; `''` when none. */
  comment: string
}

/** Looks annotations up by record Id; returns undefined for a record without any. */
export type AnnotationLookup = (recordId: string) => RecordAnnotation | undefined

/** An annotation lookup over a plain object keyed by record Id. */
export function annotationLookup(
  annotations: Readonly<Record<string, RecordAnnotation>>
): AnnotationLookup {
  return (id) => (Object.hasOwn(annotations, id) ? annotations[id] : undefined)
}
