import type { Principal } from '../auth/principal'
import { tooMany } from '../http/problem'

/**
 * How many data writes (uploads and inline data) one api process stores at once. Each holds a
 * chunk being parsed and one being stored, with their garbage, so memory grows with every one
 * (BENCHMARKS.md, "Ten uploads at once"); parsing keeps a core busy, so more than a couple at
 * once do not go faster either. One non-admin key holds at most `maxPerKey` of them, so that a
 * key sending slowly cannot take every slot from the others. A write past a limit is refused
 * before it stores anything (an upload's body is not read; inline data came parsed with its
 * JSON body), and the client tries again: a slot frees whenever a write ends and a refusal
 * costs next to nothing.
 */
export class WriteSlots {
  private taken = 0
  private readonly byKey = new Map<string, number>()

  constructor(
    private readonly max: number,
    private readonly maxPerKey: number,
  ) {}

  async run<T>(writer: Principal, write: () => Promise<T>): Promise<T> {
    const key = writer.admin ? null : writer.id
    const held = key === null ? 0 : (this.byKey.get(key) ?? 0)
    if (held >= this.maxPerKey)
      throw tooMany(
        'TOO_MANY_UPLOADS',
        `This key already stores as many uploads at once as one key may (${this.maxPerKey}); wait for one to finish`,
        5,
      )
    if (this.taken >= this.max)
      throw tooMany(
        'TOO_MANY_UPLOADS',
        `This server already stores as many uploads at once as it takes (${this.max}); try again shortly`,
        1,
      )
    this.taken++
    if (key !== null) this.byKey.set(key, held + 1)
    try {
      return await write()
    } finally {
      this.taken--
      if (key !== null) {
        const left = (this.byKey.get(key) ?? 1) - 1
        if (left === 0) this.byKey.delete(key)
        else this.byKey.set(key, left)
      }
    }
  }
}
