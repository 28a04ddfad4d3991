import { and, eq, ne, sql } from 'drizzle-orm'
import type { Principal } from '../auth/principal'
import type { Executor } from '../db/client'
import { datasets } from '../db/schema'
import { ProblemError } from '../http/problem'

/** Whose storage a write counts against, and how much that owner may keep. */
export type StorageQuota = { ownerId: string; maxBytes: number }

/** The quota a writer's data counts against: none for an administrator. */
export const quotaOf = (writer: Principal, maxBytes: number): StorageQuota | null =>
  writer.admin || writer.keyId === null ? null : { ownerId: writer.keyId, maxBytes }

/** Lock class of the per-owner advisory locks below (the second key is a hash of the owner). */
const QUOTA_LOCK_CLASS = 7272

const quotaExceeded = (quota: StorageQuota, otherBytes: number) =>
  new ProblemError(
    413,
    'STORAGE_QUOTA_EXCEEDED',
    `This upload would take what this key stores past its quota of ${quota.maxBytes} bytes (MAX_STORAGE_BYTES_PER_KEY; ${otherBytes} bytes are stored in its other datasets); nothing was stored. Delete datasets to make room.`,
  )

/**
 * Counts a write's stored bytes against its owner's quota as its chunks are stored, and refuses
 * it (413) as soon as it would pass. The quota covers the current data of every dataset the
 * owner has; the dataset being written is left out, since the write replaces its data.
 */
export class QuotaCheck {
  private written = 0

  constructor(
    private readonly tx: Executor,
    private readonly quota: StorageQuota,
    private readonly datasetId: string,
  ) {}

  /**
   * A chunk of `bytes` is about to be stored. Other writes of the owner that committed since
   * the last chunk count from now on (each check reads what is committed), so of two uploads
   * at once the one that passes the quota first is refused then.
   */
  async add(bytes: number): Promise<void> {
    this.written += bytes
    await this.check()
  }

  /**
   * The last check, just before the write commits: other writes of the same owner wait here
   * until this one has committed or rolled back, so two that each fit alone cannot both commit
   * past the quota.
   */
  async settle(): Promise<void> {
    await this.tx.execute(sql`select pg_advisory_xact_lock(${QUOTA_LOCK_CLASS}, hashtext(${this.quota.ownerId}::text))`)
    await this.check()
  }

  private async check(): Promise<void> {
    const [row] = await this.tx
      .select({ bytes: sql<string>`coalesce(sum(${datasets.sizeBytes}), 0)` })
      .from(datasets)
      .where(and(eq(datasets.ownerId, this.quota.ownerId), ne(datasets.id, this.datasetId)))
    const others = Number(row?.bytes ?? 0)
    if (others + this.written > this.quota.maxBytes) throw quotaExceeded(this.quota, others)
  }
}
