import { readFileSync } from 'node:fs'

/** A process's resident memory in bytes, as the kernel counts it (VmRSS in /proc/<pid>/status). */
export function residentBytes(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  if (kib === undefined) throw new Error(`no VmRSS for process ${pid}`)
  return Number(kib) * 1024
}

/**
 * Samples a process's resident memory every `intervalMs` while a request runs, from the moment
 * it is called; `stop` answers the growth of the peak over that first sample, in bytes.
 */
export function sampleGrowth(
  pid: number,
  intervalMs = 20,
): { stop(): { baseline: number; peak: number; growth: number } } {
  const baseline = residentBytes(pid)
  let peak = baseline
  const timer = setInterval(() => {
    peak = Math.max(peak, residentBytes(pid))
  }, intervalMs)
  return {
    stop() {
      clearInterval(timer)
      peak = Math.max(peak, residentBytes(pid))
      return { baseline, peak, growth: peak - baseline }
    },
  }
}
