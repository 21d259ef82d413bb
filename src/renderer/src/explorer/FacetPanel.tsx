import type { FacetColumn, FacetValue } from './query-types'

/** The facets the panel shows, with their headings. */
const FACET_SECTIONS: readonly { column: FacetColumn; title: string }[] = [
  { column: 'category', title: 'Category' },
  { column: 'activity', title: 'Activity' },
  { column: 'userId', title: 'User' },
  { column: 'environment', title: 'Environment' },
  { column: 'connector', title: 'Connector' },
  { column: 'userTypeLabel', title: 'User type' },
  { column: 'operation', title: 'Operation' }
]

const SHOWN = 12

export interface FacetPanelProps {
  facets: Partial<Record<FacetColumn, FacetValue[]>>
  selected: Partial<Record<FacetColumn, string[]>>
  onToggle(column: FacetColumn, value: string): void
  tags: string[]
  selectedTags: string[]
  onToggleTag(tag: string): void
  /** True while the cache is still loading: counts are lower bounds and say so. */
  isPartial?: boolean
}

function label(value: string): string {
  return value === '' ? '(none)' : value
}

/** Value lists with counts; ticking values narrows the view (OR within a facet, AND across). */
export function FacetPanel(props: FacetPanelProps): React.JSX.Element {
  const { facets, selected, onToggle, tags, selectedTags, onToggleTag, isPartial = false } = props
  return (
    <aside className="explorer-facets" aria-label="Facets">
      {FACET_SECTIONS.map(({ column, title }) => {
        const values = facets[column] ?? []
        const chosen = selected[column] ?? []
        const shown = values.filter((v, i) => i < SHOWN || chosen.includes(v.value))
        if (shown.length === 0) {
          return null
        }
        return (
          <section key={column} aria-label={`${title} facet`}>
            <h2>{title}</h2>
            <ul className="facet-list">
              {shown.map((entry) => (
                <li key={entry.value}>
                  <label title={label(entry.value)}>
                    <input
                      type="checkbox"
                      checked={chosen.includes(entry.value)}
                      onChange={() => onToggle(column, entry.value)}
                    />
                    <span className="facet-value">{label(entry.value)}</span>
                    <span className="facet-count">
                      {isPartial ? '≥ ' : ''}
                      {entry.count.toLocaleString()}
                    </span>
                  </label>
                </li>
              ))}
            </ul>
          </section>
        )
      })}
      {tags.length > 0 && (
        <section aria-label="Tags facet">
          <h2>Tags</h2>
          <ul className="facet-list">
            {tags.map((tag) => (
              <li key={tag}>
                <label>
                  <input
                    type="checkbox"
                    checked={selectedTags.includes(tag)}
                    onChange={() => onToggleTag(tag)}
                  />
                  <span className="facet-value">{tag}</span>
                </label>
              </li>
            ))}
          </ul>
        </section>
      )}
    </aside>
  )
}
