import { repeatedBody, wideRecordBody } from '../../../support/hostile-bodies'
import { fmt } from '../services'
import { uploadCsv } from '../upload-csv'
import { type HostileCase, type HostileContext, MiB } from './case'

/** Streams `body` into a new empty dataset. */
const upload = (context: HostileContext, type: string, body: () => BodyInit) =>
  context.client
    .dataset()
    .then(id => context.measure(() => context.client.putData(id, type, body(), { signal: context.signal })))

const ORDINARY_ROWS = 10_000

/** The baseline: an ordinary 1 MB CSV, measured in the same run as the hostile cases. */
export const ORDINARY: HostileCase = {
  name: `ordinary 1 MB CSV upload (${fmt(ORDINARY_ROWS, 0)} rows × 10 columns)`,
  async run(context) {
    const { path } = await uploadCsv(ORDINARY_ROWS)
    return upload(context, 'text/csv', () => Bun.file(path).stream())
  },
}

/** Items 1 and 2: cells, lines, headers and records past their limits. */
export const RECORD_CASES: HostileCase[] = [
  {
    name: 'CSV: one 8 MiB cell (MAX_CELL_BYTES is 64 KiB)',
    run: context => upload(context, 'text/csv', () => repeatedBody({ head: 'a,b\n1,', fill: 'x', bytes: 8 * MiB })),
  },
  {
    name: 'CSV: a 64 MiB line without a newline (short cells)',
    run: context => upload(context, 'text/csv', () => repeatedBody({ head: 'a,b\n', fill: '1,', bytes: 64 * MiB })),
  },
  {
    name: 'CSV: a 4 MiB header of commas',
    run: context => upload(context, 'text/csv', () => repeatedBody({ fill: ',', bytes: 4 * MiB, tail: '\n1\n' })),
  },
  {
    name: 'NDJSON: a 60 MB line (1,000 cells of 60 KiB; MAX_RECORD_BYTES is 4 MiB)',
    run: context => upload(context, 'application/x-ndjson', () => wideRecordBody(1000, 60 * 1024, '', '\n')),
  },
  {
    name: 'JSON array: a 60 MB element (1,000 cells of 60 KiB)',
    run: context => upload(context, 'application/json', () => wideRecordBody(1000, 60 * 1024, '[', ']')),
  },
]
