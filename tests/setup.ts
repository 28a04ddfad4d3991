import { setDefaultTimeout } from 'bun:test'

// bunfig's [test] timeout is ignored by bun 1.4 (oven-sh/bun#7789); integration tests start threads and queues.
setDefaultTimeout(30_000)
