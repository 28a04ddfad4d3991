import type { Logger } from '../logger'

/** JSON text made once for many streams (see `SseSend`). */
export class SerializedJson {
  constructor(readonly text: string) {}
}

/**
 * Sends one event: a frame with the next id, the event name and one line of JSON. Data that
 * goes to many streams can come serialized already, so it is not serialized once per stream.
 */
export type SseSend = (event: string, data: object | SerializedJson) => void

/**
 * The SSE streams an api process holds open, by whom they were opened for: shutdown ends them
 * all, a revoked key's end at once, and a per-key limit counts them.
 */
export class SseStreams {
  private readonly open = new Map<AbortController, string>()

  get count(): number {
    return this.open.size
  }

  countFor(owner: string): number {
    let n = 0
    for (const holder of this.open.values()) if (holder === owner) n++
    return n
  }

  track(controller: AbortController, owner: string): () => void {
    this.open.set(controller, owner)
    return () => this.open.delete(controller)
  }

  /** Ends every stream (their clients reconnect elsewhere); used on shutdown. */
  closeAll(): void {
    for (const controller of this.open.keys()) controller.abort('shutdown')
  }

  /** Ends the streams of one principal: its key was revoked. */
  closeFor(owner: string): void {
    for (const [controller, holder] of this.open) if (holder === owner) controller.abort('revoked')
  }
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // proxies such as nginx must pass events on as they come, not buffer them
  'x-accel-buffering': 'no',
}

export type SseOptions = {
  streams: SseStreams
  request: Request
  heartbeatMs: number
  log: Logger
  /** Whom the stream is for (a principal id). */
  owner: string
}

/**
 * A Server-Sent Events response whose events `produce` sends until it returns or `signal`
 * aborts (the client left, or the server is shutting down). Frames are written here rather than
 * with Elysia's `sse()`, which drops numeric and boolean data; a `: ping` comment goes out after
 * `heartbeatMs` of silence so idle timeouts and proxies keep the connection. When the client
 * goes away everything stops at once: the abort wakes whatever `produce` waits on.
 */
export function sseResponse(
  produce: (send: SseSend, signal: AbortSignal) => Promise<void>,
  options: SseOptions,
): Response {
  const { streams, request, heartbeatMs, log, owner } = options
  const abort = new AbortController()
  const untrack = streams.track(abort, owner)
  const onRequestAbort = () => abort.abort('client left')
  request.signal.addEventListener('abort', onRequestAbort)
  const encoder = new TextEncoder()
  let id = 0
  let heartbeat: Timer | undefined

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true
      const write = (text: string) => {
        if (!open) return
        controller.enqueue(encoder.encode(text))
        clearTimeout(heartbeat)
        heartbeat = setTimeout(() => write(': ping\n\n'), heartbeatMs)
      }
      const finish = () => {
        if (!open) return
        open = false
        clearTimeout(heartbeat)
        untrack()
        request.signal.removeEventListener('abort', onRequestAbort)
        try {
          controller.close()
        } catch {
          // already closed by the client going away
        }
      }
      abort.signal.addEventListener('abort', finish, { once: true })
      // the reconnection delay EventSource should use
      write('retry: 2000\n\n')
      produce(
        (event, data) =>
          write(
            `id: ${++id}\nevent: ${event}\ndata: ${data instanceof SerializedJson ? data.text : JSON.stringify(data)}\n\n`,
          ),
        abort.signal,
      )
        .catch(error => log.warn('event stream failed', { path: new URL(request.url).pathname, error }))
        .finally(finish)
    },
    cancel() {
      abort.abort('client left')
    },
  })
  return new Response(stream, { headers: SSE_HEADERS })
}

/**
 * Events buffered for one stream, read in order; `next` waits for one and is woken at once by
 * an abort or by `end`, so nothing is left waiting after the client goes.
 */
export class EventQueue<T> {
  private readonly items: T[] = []
  private wake: (() => void) | undefined
  private ended = false

  push(item: T): void {
    this.items.push(item)
    this.wake?.()
  }

  end(): void {
    this.ended = true
    this.wake?.()
  }

  async *drain(signal: AbortSignal): AsyncGenerator<T> {
    const onAbort = () => this.wake?.()
    signal.addEventListener('abort', onAbort)
    try {
      while (!signal.aborted) {
        const item = this.items.shift()
        if (item !== undefined) {
          yield item
          continue
        }
        if (this.ended) return
        await new Promise<void>(resolve => {
          this.wake = resolve
        })
        this.wake = undefined
      }
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }
}
