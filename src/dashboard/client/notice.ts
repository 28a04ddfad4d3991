const SHOWN_MS = 6000

/**
 * The page's status line (a polite live region). A notice outlives the screen change it
 * announces (“Deleted …” shows on the list it leads to) but not the one after, nor six seconds.
 */
export function createNotice(element: HTMLElement) {
  let timer: ReturnType<typeof setTimeout> | undefined
  let screens = 0
  let shownOn = 0

  const clear = () => {
    clearTimeout(timer)
    element.textContent = ''
  }

  return {
    notify(message: string): void {
      clear()
      element.textContent = message
      shownOn = screens
      timer = setTimeout(clear, SHOWN_MS)
    },
    screenChanged(): void {
      if (++screens - shownOn > 1) clear()
    },
  }
}
