import type { Redis } from 'ioredis'
import type { Logger } from '../../src/logger'
import { eventsChannel, type TaskEvent } from './task-events'

export type TaskEventListener = {
  /** Only events of this task, or of every task when absent. */
  taskId?: string
  onEvent(event: TaskEvent): void
  /** The subscription to Redis was lost: events may have been missed, so the listener must start over. */
  onReset(): void
}

/**
 * The one Redis subscription of an api process, fanned out in memory to its SSE streams.
 * Listeners are kept in plain sets, so thousands of streams cost no more than their entries,
 * and leaving removes a listener at once.
 */
export class TaskEventHub {
  private readonly byTask = new Map<string, Set<TaskEventListener>>()
  private readonly everyTask = new Set<TaskEventListener>()
  private subscribed = false

  constructor(
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    // The connection may carry other subscriptions (key revocations) too.
    const channel = eventsChannel(prefix)
    subscriber.on('message', (from: string, message: string) => from === channel && this.dispatch(message))
    subscriber.on('ready', () => {
      if (!this.subscribed) return
      // ioredis resubscribes by itself; whatever happened while it was away is unknown.
      this.reset()
    })
    subscriber.on('close', () => {
      if (this.subscribed) this.reset()
    })
  }

  async start(): Promise<void> {
    await this.subscriber.subscribe(eventsChannel(this.prefix))
    this.subscribed = true
  }

  listen(listener: TaskEventListener): () => void {
    if (listener.taskId === undefined) this.everyTask.add(listener)
    else {
      const set = this.byTask.get(listener.taskId) ?? new Set<TaskEventListener>()
      this.byTask.set(listener.taskId, set.add(listener))
    }
    return () => {
      if (listener.taskId === undefined) this.everyTask.delete(listener)
      else {
        const set = this.byTask.get(listener.taskId)
        set?.delete(listener)
        if (set?.size === 0) this.byTask.delete(listener.taskId)
      }
    }
  }

  /** Listeners held right now (a disconnected client must leave none behind). */
  get listenerCount(): number {
    let n = this.everyTask.size
    for (const set of this.byTask.values()) n += set.size
    return n
  }

  async close(): Promise<void> {
    this.subscribed = false
    this.subscriber.disconnect()
  }

  private dispatch(message: string): void {
    let event: TaskEvent
    try {
      event = JSON.parse(message) as TaskEvent
    } catch {
      this.log.warn('unreadable task event', { message: message.slice(0, 200) })
      return
    }
    for (const listener of this.byTask.get(event.task_id) ?? []) listener.onEvent(event)
    for (const listener of this.everyTask) listener.onEvent(event)
  }

  private reset(): void {
    const all = [...this.everyTask, ...[...this.byTask.values()].flatMap(set => [...set])]
    for (const listener of all) listener.onReset()
  }
}
