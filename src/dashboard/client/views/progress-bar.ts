import { h } from '../dom'

export type ProgressBar = { element: HTMLElement; set(progress: number, stage?: string | null): void }

/** A native progress bar with its percentage and stage written beside it. */
export function progressBar(label: string): ProgressBar {
  const bar = h('progress', { max: 100, value: 0, 'aria-label': label })
  const text = h('span', { class: 'progress-text' }, '0 %')
  const element = h('div', { class: 'progress' }, bar, text)
  return {
    element,
    set(progress, stage) {
      const value = Math.max(0, Math.min(100, Math.floor(progress)))
      bar.value = value
      text.textContent = stage && value < 100 ? `${value} % · ${stage}` : `${value} %`
    },
  }
}
