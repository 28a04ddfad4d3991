import { readFileSync, writeFileSync } from 'node:fs'

export const MB = 1024 * 1024

/** A size line of /proc/<pid>/status in bytes: VmRSS (resident now) or VmHWM (the peak of VmRSS). */
export function residentBytes(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const line = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!line) throw new Error(`/proc/${pid}/status has no ${field}`)
  return Number(line[1]) * 1024
}

/** Restarts a process's VmHWM from its present RSS (Linux 4.0+); false where the kernel refuses. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

export type RssReport = {
  /** RSS when the watch began. */
  baseline: number
  /** The highest RSS seen while watching. */
  peak: number
  /** peak - baseline */
  growth: number
  /** Whether the watch stopped early because growth passed the ceiling. */
  exceeded: boolean
}

export type RssWatch = {
  /** Stops watching and answers what was seen; later calls answer the same. */
  stop(): RssReport
  /** Settles once growth passes the ceiling (never, without one). */
  exceeded: Promise<void>
}

/**
 * Watches the resident memory of another process (an api child) from now on. VmRSS is polled
 * every `everyMs`; where the kernel lets us restart VmHWM, the kernel's own peak is read too,
 * so a spike between two polls is not missed. `ceilingBytes` of growth ends a runaway request
 * before it takes the machine: `exceeded` settles, and the caller stops the request or the
 * process.
 */
export function watchRss(pid: number, options: { everyMs?: number; ceilingBytes?: number } = {}): RssWatch {
  const { everyMs = 10, ceilingBytes = Number.POSITIVE_INFINITY } = options
  const kernelPeak = resetPeak(pid)
  const baseline = residentBytes(pid)
  let peak = baseline
  let exceeded = false
  let signal: () => void = () => {}
  const exceededPromise = new Promise<void>(resolve => {
    signal = resolve
  })
  const sample = () => {
    try {
      peak = Math.max(peak, residentBytes(pid), kernelPeak ? residentBytes(pid, 'VmHWM') : 0)
    } catch {
      // The process has ended; what was seen stands.
      return
    }
    if (!exceeded && peak - baseline > ceilingBytes) {
      exceeded = true
      signal()
    }
  }
  const timer = setInterval(sample, everyMs)
  let report: RssReport | undefined
  return {
    exceeded: exceededPromise,
    stop() {
      if (!report) {
        clearInterval(timer)
        sample()
        report = { baseline, peak, growth: peak - baseline, exceeded }
      }
      return report
    },
  }
}
