import { tooMany } from '../http/problem'

/**
 * How many data writes (uploads and inline data) one api process stores at once. Each holds a
 * chunk being parsed and one being stored, with their garbage, so memory grows with every one
 * (BENCHMARKS.md, "Ten uploads at once"); parsing keeps a core busy, so more than a couple at
 * once do not go faster either. A write past the limit is refused before it stores anything
 * (an upload's body is not read; inline data came parsed with its JSON body), and the client
 * tries again: after a second, since a slot frees whenever a write ends and a refusal costs
 * next to nothing.
 */
export class WriteSlots {
  private taken = 0

  constructor(private readonly max: number) {}

  async run<T>(write: () => Promise<T>): Promise<T> {
    if (this.taken >= this.max)
      throw tooMany(
        'TOO_MANY_UPLOADS',
        `This server already stores as many uploads at once as it takes (${this.max}); try again shortly`,
        1,
      )
    this.taken++
    try {
      return await write()
    } finally {
      this.taken--
    }
  }
}
