import { connect, createServer, type Socket } from 'node:net'

export type TcpProxy = {
  port: number
  /** Drops every connection and refuses new ones, as a server that went away. */
  cut(): void
  restore(): void
  close(): Promise<void>
}

/** A TCP proxy on loopback to `port`, to take a service away from the processes that use it. */
export async function startTcpProxy(port: number): Promise<TcpProxy> {
  let open = true
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    // A cut resets both ends; the processes see the errors, the proxy has nothing to do with them.
    socket.on('error', () => {})
  }
  const server = createServer(client => {
    track(client)
    if (!open) return client.destroy()
    const upstream = connect(port, '127.0.0.1')
    track(upstream)
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port')
  return {
    port: address.port,
    cut() {
      open = false
      for (const socket of sockets) socket.destroy()
    },
    restore() {
      open = true
    },
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise(resolve => server.close(() => resolve()))
    },
  }
}
