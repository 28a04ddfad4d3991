/** What a screen gets from the shell while it is shown. */
export type ViewContext = {
  /** Aborted when the screen is left: pending requests and live streams stop with it. */
  signal: AbortSignal
  /** A short message in the page's status area, read out by screen readers. */
  notify(message: string): void
}

/** Fills the main area with one screen. */
export type View = (main: HTMLElement, context: ViewContext) => void | Promise<void>
