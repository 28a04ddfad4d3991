import { connect, type Socket } from 'node:net'

export type RawConnection = {
  socket: Socket
  /** What the server sent so far, as Latin-1 text (one character a byte): the last `keepBytes` of it. */
  received(): string
  /** Settles when the connection has closed, from either side. */
  closed: Promise<void>
}

/**
 * A TCP connection to a server on 127.0.0.1 that writes exactly what it is given: what fetch
 * cannot send (an odd Host, a body that stalls mid-chunk, a client that stops reading) reaches
 * the server as it would from any client. `keepBytes` bounds what it remembers of a long answer.
 */
export function openConnection(port: number, keepBytes = Number.POSITIVE_INFINITY): RawConnection {
  const socket = connect({ host: '127.0.0.1', port })
  let received = ''
  socket.on('data', (piece: Buffer) => {
    received += piece.toString('latin1')
    if (received.length > keepBytes) received = received.slice(-keepBytes)
  })
  // A server that closes or resets the connection ends the exchange; `closed` says so.
  socket.on('error', () => {})
  const closed = new Promise<void>(resolve => socket.once('close', () => resolve()))
  return { socket, received: () => received, closed }
}

export type RawResponse = { status: number; headers: Record<string, string>; body: string }

/** Sends one HTTP/1.1 request exactly as written (any Host, any target) and reads the answer until the server closes. */
export async function rawRequest(port: number, head: string[], body = ''): Promise<RawResponse> {
  const connection = openConnection(port)
  const lines = [...head, 'Connection: close']
  if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`)
  connection.socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`)
  await connection.closed
  const bytes = Buffer.from(connection.received(), 'latin1')
  const split = bytes.indexOf('\r\n\r\n')
  if (split < 0) throw new Error(`no HTTP answer: ${bytes.toString('latin1')}`)
  const [statusLine = '', ...headerLines] = bytes.subarray(0, split).toString('latin1').split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of headerLines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  const rest = bytes.subarray(split + 4)
  const content = headers['transfer-encoding'] === 'chunked' ? unchunk(rest) : rest
  return { status: Number(statusLine.split(' ')[1]), headers, body: content.toString() }
}

function unchunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = []
  for (let at = 0; ; ) {
    const eol = bytes.indexOf('\r\n', at)
    const size = Number.parseInt(bytes.subarray(at, eol).toString('latin1'), 16)
    if (!size) return Buffer.concat(parts)
    parts.push(bytes.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
}

export type RawEventStream = RawConnection & {
  /** How many events of this name the client has read. */
  count(event: string): number
}

/**
 * A client of an event stream on a raw connection. One that reads keeps only the end of what it
 * got (a long stream would otherwise fill the test's memory) and counts events by name; one
 * with `read: false` stops reading as soon as the answer has begun, and never reads again until
 * its socket is resumed: a client whose unread bytes pile up on the server.
 */
export function openEventStream(port: number, path: string, key: string, read: boolean): Promise<RawEventStream> {
  const connection = openConnection(port, 16_384)
  const counts = new Map<string, number>()
  let carry = ''
  return new Promise((resolve, reject) => {
    connection.socket.once('connect', () =>
      connection.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\n\r\n`),
    )
    connection.socket.once('data', (first: Buffer) => {
      if (!first.toString('latin1').startsWith('HTTP/1.1 200')) reject(new Error(first.toString('latin1')))
      if (!read) connection.socket.pause()
      resolve({ ...connection, count: event => counts.get(event) ?? 0 })
    })
    if (read)
      connection.socket.on('data', (piece: Buffer) => {
        // an event line split between two pieces is counted once, with the piece that completes it
        const lines = (carry + piece.toString('latin1')).split('\n')
        carry = lines.pop() ?? ''
        for (const line of lines)
          if (line.startsWith('event: ')) {
            const name = line.slice(7)
            counts.set(name, (counts.get(name) ?? 0) + 1)
          }
      })
  })
}
