import type { TimeZoneMode } from './explorer-columns'
import { resolveRange, type RangePreset } from './saved-filters'

const PRESET_LABELS: Record<RangePreset, string> = {
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  all: 'All time',
  custom: 'Custom…'
}

export interface RangeState {
  preset: RangePreset
  fromMs: number | null
  toMs: number | null
}

function toInputValue(ms: number | null, timeZone: TimeZoneMode): string {
  if (ms === null) {
    return ''
  }
  const d = new Date(timeZone === 'utc' ? ms : ms - new Date(ms).getTimezoneOffset() * 60_000)
  return d.toISOString().slice(0, 16)
}

function fromInputValue(value: string, timeZone: TimeZoneMode): number | null {
  if (value === '') {
    return null
  }
  const ms = timeZone === 'utc' ? Date.parse(`${value}:00Z`) : new Date(value).getTime()
  return Number.isFinite(ms) ? ms : null
}

export interface RangePickerProps {
  range: RangeState
  timeZone: TimeZoneMode
  onChange(next: RangeState | ((current: RangeState) => RangeState)): void
}

/** The date range: presets relative to now, or custom bounds in the chosen time zone. */
export function RangePicker({ range, timeZone, onChange }: RangePickerProps): React.JSX.Element {
  function choosePreset(preset: RangePreset): void {
    if (preset === 'custom') {
      onChange((current) => ({ ...current, preset }))
      return
    }
    onChange({ preset, ...resolveRange({ preset, fromMs: null, toMs: null }) })
  }
  return (
    <>
      <label>
        Range
        <select
          aria-label="Date range"
          value={range.preset}
          onChange={(e) => choosePreset(e.target.value as RangePreset)}
        >
          {(Object.keys(PRESET_LABELS) as RangePreset[]).map((preset) => (
            <option key={preset} value={preset}>
              {PRESET_LABELS[preset]}
            </option>
          ))}
        </select>
      </label>
      {range.preset === 'custom' && (
        <>
          <label>
            From ({timeZone === 'utc' ? 'UTC' : 'local'})
            <input
              type="datetime-local"
              aria-label="From"
              value={toInputValue(range.fromMs, timeZone)}
              onChange={(e) =>
                onChange((r) => ({ ...r, fromMs: fromInputValue(e.target.value, timeZone) }))
              }
            />
          </label>
          <label>
            To
            <input
              type="datetime-local"
              aria-label="To"
              value={toInputValue(range.toMs, timeZone)}
              onChange={(e) =>
                onChange((r) => ({ ...r, toMs: fromInputValue(e.target.value, timeZone) }))
              }
            />
          </label>
        </>
      )}
    </>
  )
}
