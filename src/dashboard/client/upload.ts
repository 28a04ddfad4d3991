import { ApiError, problemFromText, reportUnauthorized } from './api'
import type { Dataset } from './types'
import { rawUploadHeaders } from './upload-headers'

export type UploadProgress = { loaded: number; total: number }

export type Upload = { done: Promise<Dataset>; abort(): void }

/**
 * Sends a body to the API and reports how much of it has gone. XMLHttpRequest rather than
 * fetch, because only it reports the progress of a request body.
 */
function send(
  request: { method: string; url: string; body: XMLHttpRequestBodyInit; headers: Record<string, string>; size: number },
  expected: number,
  onProgress: (progress: UploadProgress) => void,
): Upload {
  const xhr = new XMLHttpRequest()
  const done = new Promise<Dataset>((resolve, reject) => {
    xhr.upload.addEventListener('progress', event => {
      onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : request.size })
    })
    xhr.addEventListener('load', () => {
      if (xhr.status === expected) return resolve(JSON.parse(xhr.responseText) as Dataset)
      if (xhr.status === 401) reportUnauthorized()
      reject(new ApiError(problemFromText(xhr.status, xhr.responseText)))
    })
    xhr.addEventListener('error', () => reject(new ApiError(problemFromText(0, ''))))
    xhr.addEventListener('abort', () => reject(new DOMException('The upload was cancelled', 'AbortError')))
  })
  xhr.open(request.method, request.url)
  xhr.setRequestHeader('accept', 'application/json')
  for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value)
  xhr.send(request.body)
  return { done, abort: () => xhr.abort() }
}

/** Creates a dataset from a file in one multipart request. */
export function uploadDataset(
  fields: { name: string; description: string; file: File },
  onProgress: (progress: UploadProgress) => void,
): Upload {
  const form = new FormData()
  form.append('name', fields.name)
  form.append('description', fields.description)
  form.append('file', fields.file, fields.file.name)
  return send(
    { method: 'POST', url: '/api/datasets', body: form, headers: {}, size: fields.file.size },
    201,
    onProgress,
  )
}

/** Replaces a dataset's data with a file, sent as it is (the API streams it in). */
export function replaceData(datasetId: string, file: File, onProgress: (progress: UploadProgress) => void): Upload {
  return send(
    {
      method: 'PUT',
      url: `/api/datasets/${encodeURIComponent(datasetId)}/data`,
      body: file,
      headers: rawUploadHeaders(file.name, file.type),
      size: file.size,
    },
    200,
    onProgress,
  )
}
