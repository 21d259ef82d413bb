import { useRef, useState } from 'react'

import { formatTime, type TimeZoneMode } from './explorer-columns'
import type { Histogram } from './query-types'

const WIDTH = 1000
const HEIGHT = 72
const AXIS = 14

export interface TimeHistogramProps {
  histogram: Histogram
  timeZone: TimeZoneMode
  /** Called with the brushed time range [fromMs, toMs). */
  onBrush(fromMs: number, toMs: number): void
}

/** Events over time as SVG bars; drag across it to filter to that time range. */
export function TimeHistogram({
  histogram,
  timeZone,
  onBrush
}: TimeHistogramProps): React.JSX.Element {
  const svg = useRef<SVGSVGElement>(null)
  const [brush, setBrush] = useState<{ from: number; to: number } | null>(null)
  const { counts, startMs, bucketMs } = histogram
  const max = Math.max(1, ...counts)
  const barWidth = counts.length > 0 ? WIDTH / counts.length : WIDTH
  const endMs = startMs + bucketMs * counts.length

  function fraction(clientX: number): number {
    const rect = svg.current?.getBoundingClientRect()
    if (!rect || rect.width === 0) {
      return 0
    }
    return Math.min(1, Math.max(0, (clientX - rect.left) / rect.width))
  }

  function finish(): void {
    if (brush && counts.length > 0) {
      const a = Math.min(brush.from, brush.to)
      const b = Math.max(brush.from, brush.to)
      // Snap to whole buckets so the filtered range matches the bars.
      const first = Math.floor(a * counts.length)
      const last = Math.max(first + 1, Math.ceil(b * counts.length))
      if (b - a > 0.002) {
        onBrush(startMs + first * bucketMs, startMs + last * bucketMs)
      }
    }
    setBrush(null)
  }

  return (
    <svg
      ref={svg}
      className="histogram"
      role="img"
      aria-label={`Events over time, ${formatTime(startMs, timeZone)} to ${formatTime(endMs, timeZone)}; drag to filter to a time range`}
      data-testid="histogram"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      preserveAspectRatio="none"
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId)
        const f = fraction(e.clientX)
        setBrush({ from: f, to: f })
      }}
      onPointerMove={(e) => {
        if (brush) {
          const to = fraction(e.clientX)
          setBrush((current) => (current ? { ...current, to } : current))
        }
      }}
      onPointerUp={finish}
      onPointerCancel={() => setBrush(null)}
    >
      {counts.map((count, i) => {
        const h = (count / max) * (HEIGHT - AXIS - 4)
        return (
          <rect
            key={i}
            className="bar"
            x={i * barWidth + 0.5}
            y={HEIGHT - AXIS - h}
            width={Math.max(0.5, barWidth - 1)}
            height={h}
          >
            <title>{`${formatTime(startMs + i * bucketMs, timeZone)}: ${count.toLocaleString()} events`}</title>
          </rect>
        )
      })}
      {brush && (
        <rect
          className="brush"
          x={Math.min(brush.from, brush.to) * WIDTH}
          y={0}
          width={Math.abs(brush.to - brush.from) * WIDTH}
          height={HEIGHT}
        />
      )}
      {counts.length > 0 && (
        <>
          <text x={2} y={HEIGHT - 3}>
            {formatTime(startMs, timeZone)}
          </text>
          <text x={WIDTH - 2} y={HEIGHT - 3} textAnchor="end">
            {formatTime(endMs, timeZone)}
          </text>
        </>
      )}
    </svg>
  )
}
