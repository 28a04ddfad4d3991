import type { Logger } from '../logger'

const encoder = new TextEncoder()

/**
 * JSON text made once for many streams (see `SseSend`), and encoded once too: every stream
 * queues the same bytes for the rest of the frame, so a hundred streams behind on one event hold
 * one copy of it, not a hundred.
 */
export class SerializedJson {
  private encoded: Uint8Array | undefined

  constructor(readonly text: string) {}

  /** The `data:` line's value and the blank line that ends the frame. */
  get frameEnd(): Uint8Array {
    this.encoded ??= encoder.encode(`${this.text}\n\n`)
    return this.encoded
  }
}

const RETRY = encoder.encode('retry: 2000\n\n')
const PING = encoder.encode(': ping\n\n')

/**
 * Sends one event: a frame with the next id, the event name and one line of JSON. Data that
 * goes to many streams can come serialized already, so it is not serialized once per stream.
 */
export type SseSend = (event: string, data: object | SerializedJson) => void

/** Whom a stream was opened for: a principal id, and the browser session it came with, if any. */
export type StreamHolder = { owner: string; sessionId?: string }

/**
 * The SSE streams an api process holds open, by whom they were opened for: shutdown ends them
 * all, a revoked key's or a signed-out session's end at once, and a per-key limit counts them.
 */
export class SseStreams {
  private readonly open = new Map<AbortController, StreamHolder>()

  get count(): number {
    return this.open.size
  }

  countFor(owner: string): number {
    let n = 0
    for (const holder of this.open.values()) if (holder.owner === owner) n++
    return n
  }

  track(controller: AbortController, holder: StreamHolder): () => void {
    this.open.set(controller, holder)
    return () => this.open.delete(controller)
  }

  /** Ends every stream (their clients reconnect elsewhere); used on shutdown. */
  closeAll(): void {
    for (const controller of this.open.keys()) controller.abort('shutdown')
  }

  /** Ends the streams of one principal: its key was revoked or given a new secret. */
  closeFor(owner: string): void {
    for (const [controller, holder] of this.open) if (holder.owner === owner) controller.abort('revoked')
  }

  /** Ends the streams opened with one browser session: it signed out. */
  closeSession(sessionId: string): void {
    for (const [controller, holder] of this.open) if (holder.sessionId === sessionId) controller.abort('signed out')
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
  /** Whom the stream is for. */
  holder: StreamHolder
  /** Bytes a client may leave unread before its stream is closed. */
  maxUnsentBytes: number
  /** The server the request came through (none under `app.handle`), to drop a slow client's connection. */
  server: { timeout(request: Request, seconds: number): void } | null
}

const TOO_SLOW = 'client too slow'
const CLIENT_LEFT = 'client left'

/**
 * The frames of one stream that Bun has not taken yet. Bun pulls from a response stream only
 * when the socket has room, so these are the bytes the client has not read: `unsent` counts
 * them. Data that several streams send is the same bytes in each outbox, not a copy per stream.
 */
class Outbox {
  private pieces: Uint8Array[] = []
  private bytes = 0
  /** Set while Bun waits for the next frames. */
  private waiting: (() => void) | undefined

  constructor(private readonly controller: ReadableStreamDefaultController<Uint8Array>) {}

  get unsent(): number {
    return this.bytes
  }

  put(pieces: Uint8Array[]): void {
    if (!this.waiting) {
      this.pieces.push(...pieces)
      for (const piece of pieces) this.bytes += piece.byteLength
      return
    }
    for (const piece of pieces) this.controller.enqueue(piece)
    this.release()
  }

  /** Bun asks for more: what waits, or a promise that settles when more comes. */
  take(): Promise<void> | undefined {
    if (this.pieces.length === 0) return new Promise(resolve => (this.waiting = resolve))
    this.flush()
  }

  /** Hands everything waiting to the stream; closing it then still delivers it. */
  flush(): void {
    for (const piece of this.pieces) this.controller.enqueue(piece)
    this.drop()
  }

  drop(): void {
    this.pieces = []
    this.bytes = 0
  }

  /** Lets a waiting pull go: something came, or the stream ends. */
  release(): void {
    const waiting = this.waiting
    this.waiting = undefined
    waiting?.()
  }
}

/**
 * A Server-Sent Events response whose events `produce` sends until it returns or `signal`
 * aborts (the client left, the server is shutting down, or the client reads too slowly). Frames
 * are written here rather than with Elysia's `sse()`, which drops numeric and boolean data; a
 * `: ping` comment goes out after `heartbeatMs` of silence so idle timeouts and proxies keep the
 * connection. When the client goes away everything stops at once: the abort wakes whatever
 * `produce` waits on. A client that leaves `maxUnsentBytes` unread is cut off rather than
 * buffered for without bound: what waits for it is dropped at once, and EventSource reconnects
 * (to a fresh snapshot, on a task's stream).
 */
export function sseResponse(
  produce: (send: SseSend, signal: AbortSignal) => Promise<void>,
  options: SseOptions,
): Response {
  const { streams, request, heartbeatMs, log, holder, maxUnsentBytes, server } = options
  const abort = new AbortController()
  const untrack = streams.track(abort, holder)
  const onRequestAbort = () => abort.abort(CLIENT_LEFT)
  request.signal.addEventListener('abort', onRequestAbort)
  let id = 0
  let heartbeat: Timer | undefined
  let open = true
  let outbox: Outbox

  const write = (...pieces: Uint8Array[]) => {
    if (!open) return
    if (outbox.unsent >= maxUnsentBytes) {
      abort.abort(TOO_SLOW)
      return
    }
    outbox.put(pieces)
    clearTimeout(heartbeat)
    heartbeat = setTimeout(() => write(PING), heartbeatMs)
  }

  const finish = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    if (!open) return
    open = false
    clearTimeout(heartbeat)
    untrack()
    request.signal.removeEventListener('abort', onRequestAbort)
    if (abort.signal.reason === TOO_SLOW) {
      log.info('event stream closed: its client left too much unread', {
        path: new URL(request.url).pathname,
        unsent_bytes: outbox.unsent,
      })
      outbox.drop()
      // The response ends here, but Bun keeps the connection while it holds bytes the client
      // does not take; a short idle timeout closes it.
      server?.timeout(request, 1)
    } else if (abort.signal.reason === CLIENT_LEFT) outbox.drop()
    // the stream ended on the server's side: what waits is still delivered
    else outbox.flush()
    outbox.release()
    try {
      controller.close()
    } catch {
      // already closed by the client going away
    }
  }

  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        outbox = new Outbox(controller)
        abort.signal.addEventListener('abort', () => finish(controller), { once: true })
        // the reconnection delay EventSource should use
        write(RETRY)
        produce((event, data) => {
          const head = `id: ${++id}\nevent: ${event}\ndata: `
          if (data instanceof SerializedJson) write(encoder.encode(head), data.frameEnd)
          else write(encoder.encode(`${head}${JSON.stringify(data)}\n\n`))
        }, abort.signal)
          .catch(error => log.warn('event stream failed', { path: new URL(request.url).pathname, error }))
          .finally(() => finish(controller))
      },
      pull: () => outbox.take(),
      cancel() {
        abort.abort(CLIENT_LEFT)
      },
    },
    // Nothing is queued in the stream itself: Bun's pulls say when the socket can take more.
    { highWaterMark: 0 },
  )
  return new Response(stream, { headers: SSE_HEADERS })
}

/**
 * Events buffered for one stream, read in order; `next` waits for one and is woken at once by
 * an abort or by `end`, so nothing is left waiting after the client goes. A stream that falls
 * `maxItems` behind (its sending waits on something slow) ends instead of piling events up; its
 * client reconnects.
 */
export class EventQueue<T> {
  private items: T[] = []
  private wake: (() => void) | undefined
  private ended = false

  constructor(private readonly maxItems: number) {}

  push(item: T): void {
    if (this.ended) return
    if (this.items.length >= this.maxItems) {
      this.items = []
      this.end()
      return
    }
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
