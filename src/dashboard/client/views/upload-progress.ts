import { h } from '../dom'
import { formatBytes } from '../format'
import type { Upload, UploadProgress } from '../upload'
import { progressBar } from './progress-bar'

/** The bar, byte count and cancel button of an upload in flight. */
export function uploadProgress() {
  const bar = progressBar('Upload progress')
  const text = h('span', { class: 'hint' })
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel upload')
  const element = h('div', { class: 'upload-progress', hidden: true }, bar.element, text, cancel)
  let upload: Upload | null = null
  cancel.addEventListener('click', () => upload?.abort())

  return {
    element,
    /** Shows the bar from zero; `start` makes the upload, handing it this one's progress. */
    begin(size: number, start: (onProgress: (progress: UploadProgress) => void) => Upload): Upload {
      bar.set(0)
      text.textContent = `0 B of ${formatBytes(size)}`
      element.hidden = false
      upload = start(({ loaded, total }) => {
        // once the last byte is sent, the api is still storing what it parsed
        bar.set(total > 0 ? (loaded / total) * 100 : 0, loaded >= total ? 'storing' : 'sending')
        text.textContent = `${formatBytes(loaded)} of ${formatBytes(total)}`
      })
      return upload
    },
    end(): void {
      upload = null
      element.hidden = true
    },
  }
}
