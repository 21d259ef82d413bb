/**
 * Which values a page of grid rows carries from the query worker to the page. A record has some
 * thirty core values and often dozens of flattened fields, the grid shows a handful of columns:
 * the grid asks for the columns it shows and only their values are copied across (the copy, and
 * the page's garbage, grow with every value sent). Colour rules and the search highlight are
 * worked out in the worker over every field, so they need nothing here; the details pane reads
 * the whole record by its Id.
 */
import { STORED_TEXT_COLUMNS, type StoredTextColumn } from '../db/record-chunk'

import { DATE_COLUMN, FIELD_PREFIX, TAGS_COLUMN } from './query-types'

/** The values a lean grid row carries besides its Id and time (always there). */
export interface RowColumns {
  /** Stored text columns whose values the rows carry; the others are empty. */
  text: ReadonlySet<StoredTextColumn>
  /** Flattened field keys whose values the rows carry; the others are absent. */
  fields: ReadonlySet<string>
  /** Whether the rows carry their tags (otherwise none). */
  tags: boolean
}

const STORED: ReadonlySet<string> = new Set(STORED_TEXT_COLUMNS)

/** The stored values the grid columns `colIds` read (explorer-columns.ts says what each shows). */
export function rowColumnsOf(colIds: readonly string[]): RowColumns {
  const text = new Set<StoredTextColumn>(['id'])
  const fields = new Set<string>()
  let tags = false
  for (const colId of colIds) {
    if (colId === TAGS_COLUMN) {
      tags = true
    } else if (colId === 'item') {
      // The Item column shows the resource, else the object id (item-of.ts).
      text.add('resource')
      text.add('objectId')
    } else if (colId.startsWith(FIELD_PREFIX)) {
      fields.add(colId.slice(FIELD_PREFIX.length))
    } else if (colId !== DATE_COLUMN && STORED.has(colId)) {
      text.add(colId as StoredTextColumn)
    }
  }
  return { text, fields, tags }
}
