import { analysis } from './analysis.bench'
import { apiRead } from './api-read.bench'
import { auth } from './auth.bench'
import { events } from './events.bench'
import { hostile } from './hostile.bench'
import { kernels } from './kernels.bench'
import { taskLatency } from './task-latency.bench'
import { throughput } from './throughput.bench'
import { upload } from './upload.bench'

/**
 * `bun run bench [name…]`: runs the benchmarks (all by default) one after another against the
 * local PostgreSQL and Redis, each in databases and key prefixes of its own, and prints each
 * figure beside the baseline measured in the same run.
 */
const BENCHMARKS: Record<string, () => Promise<Record<string, string>>> = {
  'api-read': apiRead,
  'task-latency': taskLatency,
  upload,
  kernels,
  analysis,
  events,
  throughput,
  auth,
  hostile,
}

const wanted = process.argv.slice(2)
const unknown = wanted.filter(name => !(name in BENCHMARKS))
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`)
  process.exit(2)
}

for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHMARKS)) {
  console.log(`\n## ${name}`)
  const figures = await BENCHMARKS[name]!()
  for (const [what, value] of Object.entries(figures)) console.log(`- ${what}: ${value}`)
}
process.exit(0)
