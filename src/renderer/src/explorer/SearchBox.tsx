import type { SearchSyntaxError } from '../../../shared/explorer'

import type { SearchMode } from './query-types'

export interface SearchBoxProps {
  text: string
  mode: SearchMode
  /** Why the text does not parse (shown under the box), or null. */
  error: SearchSyntaxError | null
  onText(text: string): void
  onMode(mode: SearchMode): void
}

const HELP =
  'word · "a phrase" · Column:term (User:alice, Operation:Delete, IPaddress:10.0) · -term excludes · a b OR c'

/** The quick search in its syntax, with its filter/highlight mode and inline syntax errors. */
export function SearchBox({
  text,
  mode,
  error,
  onText,
  onMode
}: SearchBoxProps): React.JSX.Element {
  return (
    <div className="search-box">
      <input
        type="search"
        className="explorer-search"
        aria-label="Quick search"
        aria-invalid={error !== null}
        aria-describedby={error ? 'search-error' : undefined}
        placeholder='Search: alice -Delete, User:bob OR "a phrase"…'
        title={HELP}
        value={text}
        onChange={(e) => onText(e.target.value)}
      />
      <div className="explorer-inline" role="group" aria-label="Search mode">
        <button type="button" aria-pressed={mode === 'filter'} onClick={() => onMode('filter')}>
          Filter
        </button>
        <button
          type="button"
          aria-pressed={mode === 'highlight'}
          onClick={() => onMode('highlight')}
        >
          Highlight
        </button>
      </div>
      {error && (
        <p id="search-error" className="search-error" role="alert" data-testid="search-error">
          {error.message} (at character {error.position + 1}) — the grid still shows the last valid
          search.
        </p>
      )}
    </div>
  )
}
