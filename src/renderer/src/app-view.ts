/** The app's views, each named by a location hash (#explorer, #sync…). */
export type View = 'explorer' | 'resources' | 'findings' | 'sync' | 'connections' | 'settings'

const VIEWS: readonly View[] = [
  'explorer',
  'resources',
  'findings',
  'sync',
  'connections',
  'settings'
]

/** The view a location hash names (the Explorer when none). */
export function viewFromHash(hash: string): View {
  return VIEWS.find((v) => `#${v}` === hash) ?? 'explorer'
}
