import { expect, test } from 'bun:test'
import { ProgressReporter } from '../../../../jobs/threads/progress'
import type { ProgressUpdate } from '../../../../src/tasks/lifecycle'

function reporter() {
  let now = 0
  const sent: ProgressUpdate[] = []
  const r = new ProgressReporter(
    async update => void sent.push({ ...update }),
    () => now,
  )
  return { r, sent, advance: (ms: number) => (now += ms) }
}

test('stays quiet for a task that finishes at once', async () => {
  const { r, sent, advance } = reporter()
  advance(50)
  r.report(50, 'scanning', 10)
  r.report(90, 'ordering', 10)
  await r.settled()
  expect(sent).toEqual([])
})

test('reports every 5 % step and every stage change, never backwards', async () => {
  const { r, sent, advance } = reporter()
  advance(200)
  for (const p of [1, 2, 5.5, 6, 10.9, 11, 3]) r.report(p, 'scanning', p)
  r.report(11.5, 'ordering', 11)
  await r.settled()
  expect(sent.map(u => [u.progress, u.stage])).toEqual([
    [1, 'scanning'],
    [6, 'scanning'],
    [11, 'scanning'],
    [11.5, 'ordering'],
  ])
})

test('reports small moves once 500 ms have passed, and never 100 before completion', async () => {
  const { r, sent, advance } = reporter()
  advance(200)
  r.report(1, 'scanning', 1)
  advance(100)
  r.report(2, 'scanning', 2)
  advance(500)
  r.report(2.5, 'scanning', 3)
  r.report(100, 'scanning', 4)
  await r.settled()
  expect(sent.map(u => u.progress)).toEqual([1, 2.5, 99])
})
