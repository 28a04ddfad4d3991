import { connect } from 'node:net'

export type RawResponse = { status: number; headers: Record<string, string>; body: string }

/**
 * Sends one HTTP/1.1 request exactly as written (any Host, any target) to a server on
 * 127.0.0.1 and reads the answer until the server closes: what fetch cannot send, such as a
 * short or odd Host header, reaches the server as it would from any client.
 */
export function rawRequest(port: number, head: string[], body = ''): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      const lines = [...head, 'Connection: close']
      if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`)
      socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`)
    })
    const pieces: Buffer[] = []
    socket.on('data', (piece: Buffer) => pieces.push(piece))
    socket.on('error', reject)
    socket.on('close', () => {
      const bytes = Buffer.concat(pieces)
      const split = bytes.indexOf('\r\n\r\n')
      const [statusLine = '', ...headerLines] = bytes.subarray(0, split).toString('latin1').split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of headerLines) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
      }
      const rest = bytes.subarray(split + 4)
      const content = headers['transfer-encoding'] === 'chunked' ? unchunk(rest) : rest
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: content.toString() })
    })
  })
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
