import { useState } from 'react'

interface Props {
  /** Accessible name of the zone, e.g. "Import snapshot". */
  label: string
  testId: string
  /** While busy, a dropped file is ignored. */
  isBusy: boolean
  /** Receives the first file dropped on the zone. */
  onFile: (file: File) => void
  children: React.ReactNode
}

/** A zone that takes one dropped file (snapshots, audit files), highlighted while a file hovers. */
export function FileDropZone({
  label,
  testId,
  isBusy,
  onFile,
  children
}: Props): React.JSX.Element {
  const [isDragging, setIsDragging] = useState(false)
  return (
    <div
      className={`snapshot-drop-zone${isDragging ? ' is-dragging' : ''}`}
      data-testid={testId}
      aria-label={label}
      role="group"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) {
          e.preventDefault()
          e.dataTransfer.dropEffect = 'copy'
          setIsDragging(true)
        }
      }}
      onDragLeave={() => setIsDragging(false)}
      onDrop={(e) => {
        e.preventDefault()
        setIsDragging(false)
        const file = e.dataTransfer.files[0]
        if (file && !isBusy) {
          onFile(file)
        }
      }}
    >
      {children}
    </div>
  )
}
