import { BUILT_IN_VIEWS, type BuiltInView } from './saved-filters'

/**
 * The one-click switch between the connector lens (what the Explorer opens on) and every audit
 * event; the pressed button says which one is on.
 */
export function ViewSwitch({
  isConnectorLens,
  onChoose
}: {
  isConnectorLens: boolean
  onChoose(isConnectorLens: boolean): void
}): React.JSX.Element {
  return (
    <div className="explorer-inline" role="group" aria-label="View">
      <button type="button" aria-pressed={isConnectorLens} onClick={() => onChoose(true)}>
        Connector activity
      </button>
      <button type="button" aria-pressed={!isConnectorLens} onClick={() => onChoose(false)}>
        All audit events
      </button>
    </div>
  )
}

/** The built-in investigation views as buttons, for empty states. */
export function ViewShortcuts({
  onApply,
  views = BUILT_IN_VIEWS
}: {
  onApply(view: BuiltInView): void
  views?: readonly BuiltInView[]
}): React.JSX.Element {
  return (
    <nav aria-label="Investigation views">
      <h2>Investigation views</h2>
      <ul className="view-shortcuts">
        {views.map((view) => (
          <li key={view.id}>
            <button type="button" title={view.description} onClick={() => onApply(view)}>
              {view.name}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  )
}
