export type SseFrame = { id?: string; event?: string; data?: unknown; comment?: string; retry?: string }

/**
 * Reads Server-Sent Events from a response body as frames, on the wire: whole frames split on
 * blank lines, comments kept. `app.handle` hands body chunks as strings, a socket as bytes.
 */
export class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array | string>
  private readonly decoder = new TextDecoder()
  private buffer = ''
  readonly frames: SseFrame[] = []
  done = false

  constructor(response: Response) {
    this.reader = response.body!.getReader() as ReadableStreamDefaultReader<Uint8Array | string>
  }

  /** Reads until `until` holds for a frame (returning it) or the stream ends (returning null). */
  async next(until: (frame: SseFrame) => boolean = () => true, timeoutMs = 15_000): Promise<SseFrame | null> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const at = this.buffer.indexOf('\n\n')
      if (at >= 0) {
        const frame = parseFrame(this.buffer.slice(0, at))
        this.buffer = this.buffer.slice(at + 2)
        this.frames.push(frame)
        if (until(frame)) return frame
        continue
      }
      if (this.done) return null
      const remaining = deadline - Date.now()
      if (remaining <= 0)
        throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`)
      const result = await Promise.race([
        this.reader.read(),
        Bun.sleep(remaining).then(() => ({ timeout: true }) as const),
      ])
      if ('timeout' in result) continue
      if (result.done) this.done = true
      else
        this.buffer +=
          typeof result.value === 'string' ? result.value : this.decoder.decode(result.value, { stream: true })
    }
  }

  /** Every frame up to the end of the stream. */
  async rest(timeoutMs = 15_000): Promise<SseFrame[]> {
    while ((await this.next(() => false, timeoutMs)) !== null) {}
    return this.frames
  }

  cancel(): Promise<void> {
    return this.reader.cancel()
  }
}

function parseFrame(text: string): SseFrame {
  const frame: SseFrame = {}
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim()
    else {
      const colon = line.indexOf(':')
      const field = line.slice(0, colon)
      const value = line.slice(colon + 1).trimStart()
      if (field === 'data') frame.data = JSON.parse(value)
      else if (field === 'id' || field === 'event' || field === 'retry') frame[field] = value
    }
  }
  return frame
}
