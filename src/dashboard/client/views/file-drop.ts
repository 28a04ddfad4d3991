import { h } from '../dom'
import { formatBytes } from '../format'

const ACCEPT = '.csv,.ndjson,.jsonl,.json,.gz,text/csv,application/json,application/x-ndjson'

/**
 * A file chooser that is also a drop target: a label around a visually hidden file input, so the
 * keyboard reaches it and a click opens the picker, and a file dropped on it counts the same.
 */
export function fileDrop(id: string, onChoose: (file: File) => void): { element: HTMLElement; focus(): void } {
  const input = h('input', { type: 'file', id, name: 'file', accept: ACCEPT, class: 'visually-hidden' })
  const chosen = h('span', { class: 'chosen' }, 'No file chosen')
  const element = h(
    'label',
    { class: 'drop-zone', for: id },
    input,
    h('strong', {}, 'Drop a file here or choose one'),
    h('span', { class: 'hint' }, 'CSV, NDJSON or a JSON array of objects; gzip is fine'),
    chosen,
  )
  const choose = (file: File | undefined) => {
    if (!file) return
    chosen.textContent = `${file.name} · ${formatBytes(file.size)}`
    onChoose(file)
  }
  input.addEventListener('change', () => choose(input.files?.[0]))
  element.addEventListener('dragover', event => {
    event.preventDefault()
    element.classList.add('dragging')
  })
  element.addEventListener('dragleave', () => element.classList.remove('dragging'))
  element.addEventListener('drop', event => {
    event.preventDefault()
    element.classList.remove('dragging')
    choose(event.dataTransfer?.files[0])
  })
  return { element, focus: () => input.focus() }
}
