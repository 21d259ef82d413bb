import { useState } from 'react'

import { ROW_COLOURS, type ColourRule, type RowColour } from './query-types'
import { bindSearch } from './search-columns'

export interface ColourRulesProps {
  rules: readonly ColourRule[]
  /** Column names a rule's search may use (search-columns.ts). */
  names: ReadonlyMap<string, string>
  onChange(rules: ColourRule[]): void
}

/**
 * Colour rules: rows matching a search (the quick-search syntax) take a colour; the first
 * matching rule wins. Saved with a view.
 */
export function ColourRules({ rules, names, onChange }: ColourRulesProps): React.JSX.Element {
  const [isOpen, setIsOpen] = useState(false)
  const [search, setSearch] = useState('')
  const [colour, setColour] = useState<RowColour>('red')
  const [error, setError] = useState<string | null>(null)

  function add(): void {
    const text = search.trim()
    if (text === '') {
      setError('Type the search the rows must match, e.g. Operation:Delete.')
      return
    }
    const bound = bindSearch(text, names)
    if (!bound.ok) {
      setError(`${bound.error.message} (at character ${bound.error.position + 1})`)
      return
    }
    onChange([...rules, { search: text, colour }])
    setSearch('')
    setError(null)
  }

  function move(from: number, to: number): void {
    const next = [...rules]
    const [rule] = next.splice(from, 1)
    next.splice(to, 0, rule!)
    onChange(next)
  }

  return (
    <div className="column-chooser">
      <button type="button" aria-expanded={isOpen} onClick={() => setIsOpen(!isOpen)}>
        Colour rules ({rules.length})
      </button>
      {isOpen && (
        <div
          className="column-chooser-panel colour-rules-panel"
          role="dialog"
          aria-label="Colour rules"
        >
          <p className="muted">
            Rows matching a search take its colour; the first matching rule wins.
          </p>
          <ol className="colour-rules">
            {rules.map((rule, i) => (
              <li key={`${i}:${rule.search}`} className={`row-colour-${rule.colour}`}>
                <code>{rule.search}</code> → {rule.colour}
                <button
                  type="button"
                  aria-label={`Move up ${rule.search}`}
                  disabled={i === 0}
                  onClick={() => move(i, i - 1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  aria-label={`Remove rule ${rule.search}`}
                  onClick={() => onChange(rules.filter((_, j) => j !== i))}
                >
                  ✕
                </button>
              </li>
            ))}
          </ol>
          <div className="explorer-toolbar">
            <input
              aria-label="Rule search"
              placeholder="Operation:Delete -User:svc"
              aria-invalid={error !== null}
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              onKeyDown={(e) => e.key === 'Enter' && add()}
            />
            <select
              aria-label="Rule colour"
              value={colour}
              onChange={(e) => setColour(e.target.value as RowColour)}
            >
              {ROW_COLOURS.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
            <button type="button" onClick={add}>
              Add rule
            </button>
            <button type="button" onClick={() => setIsOpen(false)}>
              Done
            </button>
          </div>
          {error && (
            <p className="search-error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </div>
  )
}
