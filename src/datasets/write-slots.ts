import { tooMany } from '../http/problem'

/**
 * How many data writes (uploads and inline data) one api process stores at once. Each holds a
 * chunk being parsed and one being stored, with their garbage: one 100 MB upload peaked at about
 * 250 MB of RSS, two at once at about 320 MB, ten at once at 700–800 MB. Parsing keeps a core busy,
 * so more than a couple at once do not go faster either. A write past the limit is refused
 * before its body is read, and the client tries again: after a second, since a slot frees
 * whenever an upload ends and a refusal costs next to nothing.
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
