import type { Readable } from 'node:stream'
import busboy from 'busboy'
import { decodedRequestBytes } from './body-stream'
import { invalid, ProblemError } from './problem'

export type MultipartFile = {
  field: string
  filename: string
  mimeType: string
  bytes: AsyncIterable<Uint8Array>
  /** Settles when the whole form has been read: fields after the file are known from then on. */
  formRead: Promise<void>
}

export type MultipartHandlers<T> = {
  /** A text field; throwing refuses the request at once. */
  onField(name: string, value: string): void
  /** The one file part; must read `bytes` to the end. */
  onFile(file: MultipartFile): Promise<T>
}

export type MultipartLimits = { bodyBytes: number; fieldBytes: number; fields: number }

const malformed = (detail: string) =>
  new ProblemError(400, 'MALFORMED_BODY', `The multipart body is malformed: ${detail}`)

/**
 * Streams a multipart/form-data body through busboy without buffering it: fields are handed
 * over as they arrive, and the single file part is read by `onFile` while the rest of the body
 * is still coming (busboy's backpressure paces the reading of the request). Any failure on
 * either side stops both, and is thrown once `onFile` has settled, so that whatever it started
 * (a transaction) has been undone by then.
 */
export async function readMultipart<T>(
  request: Request,
  limits: MultipartLimits,
  handlers: MultipartHandlers<T>,
): Promise<{ file: T } | null> {
  let parser: busboy.Busboy
  try {
    parser = busboy({
      headers: { 'content-type': request.headers.get('content-type') ?? '' },
      limits: { files: 1, fields: limits.fields, fieldSize: limits.fieldBytes },
    })
  } catch (error) {
    throw malformed((error as Error).message)
  }
  const body = decodedRequestBytes(request, limits.bodyBytes)

  let failure: unknown
  let wake: () => void = () => {}
  let stop: () => void = () => {}
  // Settles on the first failure: a file part whose reader gave up is never drained, so the form never closes.
  const stopped = new Promise<void>(resolve => {
    stop = resolve
  })
  let fileStream: Readable | undefined
  let fileTask: Promise<T> | undefined
  const fail = (error: unknown) => {
    if (failure !== undefined) return
    failure = error
    fileStream?.destroy(error as Error)
    wake()
    stop()
  }
  const formRead = new Promise<void>((resolve, reject) => {
    parser.once('close', resolve)
    parser.once('error', (error: Error) => reject(malformed(error.message)))
  })
  // Handled here; a consumer awaiting it still sees the rejection.
  formRead.catch(fail)

  parser.on('field', (name, value, info) => {
    if (failure !== undefined) return
    try {
      if (info.valueTruncated) throw invalid(`The field ${name} is longer than ${limits.fieldBytes} bytes`)
      handlers.onField(name, value)
    } catch (error) {
      fail(error)
    }
  })
  parser.on('file', (field, stream, info) => {
    fileStream = stream
    // Its reader sees errors through its own iteration; this keeps an unread stream's quiet.
    stream.on('error', () => {})
    fileTask = handlers.onFile({
      field,
      filename: info.filename ?? '',
      mimeType: info.mimeType,
      bytes: stream,
      formRead,
    })
    fileTask.catch(fail)
  })
  parser.on('filesLimit', () => fail(invalid('Send one file per request')))
  parser.on('fieldsLimit', () => fail(invalid(`Send at most ${limits.fields} fields`)))

  try {
    for await (const piece of body) {
      if (failure !== undefined) break
      if (!parser.write(piece))
        await new Promise<void>(resolve => {
          wake = resolve
          parser.once('drain', resolve)
        })
      if (failure !== undefined) break
    }
    if (failure === undefined) {
      parser.end()
      await Promise.race([formRead, stopped])
    }
  } catch (error) {
    fail(error)
  }
  if (failure !== undefined) parser.destroy()
  // The file's reader owns a transaction: wait for it to settle before answering.
  const file = fileTask ? await fileTask.catch(fail) : undefined
  if (failure !== undefined) throw failure
  return fileTask ? { file: file as T } : null
}
