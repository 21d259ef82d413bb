import { PICKER_VIEWS, type BuiltInView } from './saved-filters'
import { ViewShortcuts } from './ViewSwitch'

export interface EmptyCacheProps {
  docsUrl: string
  isOpeningDemo: boolean
  onExploreDemo(): void
  onApplyView(view: BuiltInView): void
}

/** What the Explorer shows while the cache holds no record: the demo, a tenant, the views. */
export function EmptyCache({
  docsUrl,
  isOpeningDemo,
  onExploreDemo,
  onApplyView
}: EmptyCacheProps): React.JSX.Element {
  return (
    <section className="empty-state" aria-labelledby="empty-title">
      <h1 id="empty-title">No audit records cached yet</h1>
      <p>
        Connector Audit Explorer pulls Power Platform connector activity — APIs, connections,
        permissions, gateways and data-policy actions — from the Microsoft 365 unified audit log
        into a local cache you can explore offline.
      </p>
      <p>
        <a href={docsUrl} target="_blank" rel="noreferrer noopener" data-testid="docs-link">
          Which connector events are audited
        </a>
      </p>
      <div className="actions">
        <button type="button" className="primary" disabled={isOpeningDemo} onClick={onExploreDemo}>
          {isOpeningDemo ? 'Starting the demo tenant…' : 'Explore the demo tenant'}
        </button>
        <a className="button" href="#connections">
          Connect your tenant
        </a>
      </div>
      <p className="muted">
        The Explorer opens on connector activity. Once records are here, start from a view:
      </p>
      <ViewShortcuts views={PICKER_VIEWS} onApply={onApplyView} />
    </section>
  )
}
