const encoder = new TextEncoder()

export type RepeatedBody = {
  /** Sent first, whole. */
  head?: string
  /** Repeated after the head until `bytes` bytes of it were sent (whole repeats). */
  fill: string
  bytes: number
  /** Sent last, whole. */
  tail?: string
  /** Bytes of fill per piece: what one network read brings. */
  pieceBytes?: number
}

/**
 * A large body made of one short pattern, streamed piece by piece the way a client without
 * Content-Length sends it. Every piece is a view of one prepared buffer, so the sender spends
 * next to nothing making it and a measurement of the api sees the api's work only. Nothing is
 * read ahead: a piece is made when the server asks for it.
 */
export function repeatedBody({ head = '', fill, bytes, tail = '', pieceBytes = 64 * 1024 }: RepeatedBody) {
  const unit = encoder.encode(fill)
  const perPiece = Math.max(1, Math.floor(pieceBytes / unit.length))
  const piece = new Uint8Array(perPiece * unit.length)
  for (let i = 0; i < perPiece; i++) piece.set(unit, i * unit.length)
  let repeats = Math.floor(bytes / unit.length)
  let phase: 'head' | 'fill' | 'tail' | 'done' = head ? 'head' : 'fill'
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (phase === 'head') {
          controller.enqueue(encoder.encode(head))
          phase = 'fill'
        } else if (phase === 'fill') {
          const n = Math.min(perPiece, repeats)
          repeats -= n
          if (n > 0) controller.enqueue(n === perPiece ? piece : piece.subarray(0, n * unit.length))
          if (repeats === 0) phase = 'tail'
        } else if (phase === 'tail') {
          if (tail) controller.enqueue(encoder.encode(tail))
          phase = 'done'
        } else controller.close()
      },
    },
    { highWaterMark: 0 },
  )
}

/**
 * `head`, one JSON object of `columns` string cells of `cellBytes` characters each, and
 * `tail`, streamed in pieces made as the server asks for them: a record (an NDJSON line, a
 * JSON array element) every one of whose cells is under the cell limit, but whose total is
 * not. Made piece by piece, so that the sender never holds (or spends time building) the
 * whole record while the api is measured.
 */
export function wideRecordBody(columns: number, cellBytes: number, head = '', tail = '') {
  const cell = 'v'.repeat(cellBytes)
  let column = 0
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (column === columns + 1) return controller.close()
        const text = column === columns ? `}${tail}` : `${column === 0 ? `${head}{` : ','}"c${column}":"${cell}"`
        column++
        controller.enqueue(encoder.encode(text))
      },
    },
    { highWaterMark: 0 },
  )
}
