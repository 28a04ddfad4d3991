import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import postgres from 'postgres'

/**
 * The api of the bare pipeline: no framework, no auth, no validation, no streams. A POST inserts
 * a task row (durably, as DESIGN.md asks before an enqueue) and enqueues its id.
 */
const { DATABASE_URL, REDIS_URL, QUEUE_PREFIX, PORT, DATASET_ID, DATASET_VERSION } = process.env
const sql = postgres(DATABASE_URL!, { max: 4 })
const queue = new Queue('bare', {
  connection: new Redis(REDIS_URL!, { maxRetriesPerRequest: null }),
  prefix: QUEUE_PREFIX,
})

const server = Bun.serve({
  port: Number(PORT),
  async fetch(request) {
    if (request.method !== 'POST') return new Response(null, { status: 204 })
    const { kind } = (await request.json()) as { kind: string }
    const [task] = await sql<{ id: string; status: string }[]>`
      insert into tasks (dataset_id, dataset_version, kind)
      values (${DATASET_ID!}, ${Number(DATASET_VERSION)}, ${kind})
      returning id, status`
    await queue.add('bare', { taskId: task!.id }, { jobId: task!.id, removeOnComplete: true })
    return Response.json(task, { status: 202 })
  },
})

process.on('SIGTERM', async () => {
  server.stop()
  await queue.close()
  await sql.end()
  process.exit(0)
})
