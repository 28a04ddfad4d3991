import { describe, expect, test } from 'bun:test'
import { DelayedError, type SandboxedJob, UnrecoverableError, WaitingChildrenError } from 'bullmq'
import { AnalysisError } from '../../../../jobs/kernels/analysis-error'
import { CancelledError, TimeoutError } from '../../../../jobs/threads/check-stop'
import { jobFailure, UNEXPECTED_FAILURE } from '../../../../jobs/threads/job-failure'
import { type JobError, keptReasonInWords, reasonOf } from '../../../../jobs/worker/failure-reason'

/** The two counters jobFailure reads of a job; with no token it never moves the job. */
const job = { attemptsStarted: 1, attemptsMade: 0 } as SandboxedJob

/** What the worker gets of a thread's error: BullMQ's sandbox sends its own properties as JSON. */
const acrossTheSandbox = (error: unknown): JobError => {
  const own = Object.fromEntries(Object.getOwnPropertyNames(error).map(name => [name, (error as never)[name]]))
  return Object.assign(new Error(), JSON.parse(JSON.stringify(own)))
}

const thrown = async (error: unknown) => acrossTheSandbox(await jobFailure(job, undefined, error))

describe('what a thread throws', () => {
  test('our reasons keep their words and skip the retries', async () => {
    for (const error of [new AnalysisError('the regression is singular'), new TimeoutError(200)]) {
      const sent = await thrown(error)
      expect(sent).toMatchObject({ name: 'UnrecoverableError', message: error.message, inWords: true })
      expect(reasonOf(sent)).toBe(error.message)
    }
    expect(reasonOf(await thrown(new CancelledError('cancelled')))).toBe('cancelled')
  })

  test('anything else says it failed unexpectedly, and carries its detail for the log', async () => {
    const sqlError = Object.assign(new Error('syntax error at or near "selec" in selec * from secrets'), {
      name: 'PostgresError',
      code: 'ERR_POSTGRES_SERVER_ERROR',
      errno: '42601',
      query: 'selec * from secrets',
      parameters: ['a large parameter'],
    })
    const sent = await thrown(sqlError)
    expect(sent.message).toBe(UNEXPECTED_FAILURE)
    expect(sent.name).not.toBe('UnrecoverableError')
    expect(reasonOf(sent)).toBe(UNEXPECTED_FAILURE)
    expect(sent.detail).toMatchObject({
      name: 'PostgresError',
      message: sqlError.message,
      code: 'ERR_POSTGRES_SERVER_ERROR',
      sqlstate: '42601',
    })
    // the statement and its parameters stay behind
    expect(JSON.stringify(sent)).not.toContain('a large parameter')
    const typeError = await thrown(new TypeError('params.by.map is not a function'))
    expect(typeError.detail).toMatchObject({ name: 'TypeError', message: 'params.by.map is not a function' })
    expect(typeError.detail?.stack).toBeString()
    expect((await thrown('a string')).detail).toEqual({ name: 'string', message: 'a string' })
  })

  test('a long message is logged in part', async () => {
    const sent = await thrown(new Error('x'.repeat(100_000)))
    expect(sent.detail!.message.length).toBeLessThan(5000)
  })

  test('a dependency out of reach says which', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
    expect(reasonOf(await thrown(refused))).toBe('the analysis could not reach PostgreSQL')
    expect(reasonOf(await thrown(new Error('Connection is closed.')))).toBe('the analysis could not reach Redis')
  })

  test("BullMQ's own signals pass as they are", async () => {
    for (const signal of [new DelayedError(), new WaitingChildrenError()])
      expect(await jobFailure(job, undefined, signal)).toBe(signal)
  })
})

describe("reasons the worker hears from BullMQ's side", () => {
  test('are put in words; an error without the marks is never shown as it is', () => {
    const plain = (message: string, name = 'Error') => Object.assign(new Error(message), { name })
    expect(reasonOf(plain('job stalled more than allowable limit'))).toBe(
      'the worker running it stopped in the middle of it more than once (killed, or out of memory)',
    )
    expect(reasonOf(plain('Unexpected exit code: 1 signal: null'))).toBe(
      'the analysis thread stopped in the middle of it (it crashed, or ran out of memory)',
    )
    expect(reasonOf(plain('child bull:analysis-parts:t-a1-r0-p2 failed'))).toBe('a part of the analysis failed')
    expect(reasonOf(plain('column "secret" does not exist'))).toBe(UNEXPECTED_FAILURE)
    // BullMQ's own unrecoverable errors carry no marks either
    expect(reasonOf(new UnrecoverableError('Cannot complete job x because it has at least one failed child.'))).toBe(
      'a part of the analysis failed',
    )
  })

  test("a reason BullMQ kept is a thread's words or one of BullMQ's own", () => {
    expect(keptReasonInWords('the regression is singular')).toBe('the regression is singular')
    expect(keptReasonInWords('job stalled more than allowable limit')).toBe(
      'the worker running it stopped in the middle of it more than once (killed, or out of memory)',
    )
    expect(keptReasonInWords('Unexpected exit code: 134 signal: SIGABRT')).toBe(
      'the analysis thread stopped in the middle of it (it crashed, or ran out of memory)',
    )
  })
})
