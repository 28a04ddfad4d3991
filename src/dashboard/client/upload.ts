import { ApiError, problemFromText, reportUnauthorized } from './api'
import type { Dataset } from './types'

export type UploadProgress = { loaded: number; total: number }

export type Upload = { done: Promise<Dataset>; abort(): void }

/**
 * Creates a dataset from a file in one multipart request. XMLHttpRequest rather than fetch,
 * because only it reports how much of a request body has been sent.
 */
export function uploadDataset(
  fields: { name: string; description: string; file: File },
  onProgress: (progress: UploadProgress) => void,
): Upload {
  const form = new FormData()
  form.append('name', fields.name)
  form.append('description', fields.description)
  form.append('file', fields.file, fields.file.name)

  const request = new XMLHttpRequest()
  const done = new Promise<Dataset>((resolve, reject) => {
    request.upload.addEventListener('progress', event => {
      onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : fields.file.size })
    })
    request.addEventListener('load', () => {
      if (request.status === 201) return resolve(JSON.parse(request.responseText) as Dataset)
      if (request.status === 401) reportUnauthorized()
      reject(new ApiError(problemFromText(request.status, request.responseText)))
    })
    request.addEventListener('error', () => reject(new ApiError(problemFromText(0, ''))))
    request.addEventListener('abort', () => reject(new DOMException('The upload was cancelled', 'AbortError')))
  })
  request.open('POST', '/api/datasets')
  request.setRequestHeader('accept', 'application/json')
  request.send(form)
  return { done, abort: () => request.abort() }
}
