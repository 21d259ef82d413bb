/**
 * A column header's label with its description as the browser's own tooltip (`title`).
 *
 * Not ag-grid's TooltipModule: registered, it gives every cell a tooltip feature (listeners and
 * state made and dropped as rows scroll by), even with no cell tooltip configured. Measured on
 * a million cached records, the grid then missed more frames while scrolling and left more
 * garbage behind. The header's description is the only tooltip the grid shows.
 */
import type { IHeaderParams, IInnerHeaderComponent } from 'ag-grid-community'

/** What {@link HeaderLabel} reads besides ag-grid's header parameters. */
export interface HeaderLabelParams {
  description: string
}

type Params = IHeaderParams & Partial<HeaderLabelParams>

/** ag-grid's inner header component: the header's name, its description on hover. */
export class HeaderLabel implements IInnerHeaderComponent {
  private readonly gui = document.createElement('span')

  init(params: Params): void {
    this.show(params)
  }

  getGui(): HTMLElement {
    return this.gui
  }

  refresh(params: Params): boolean {
    this.show(params)
    return true
  }

  private show(params: Params): void {
    this.gui.textContent = params.displayName
    if (params.description) {
      this.gui.title = params.description
    } else {
      this.gui.removeAttribute('title')
    }
  }
}
