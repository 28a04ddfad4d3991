export type ProbeReport = {
  /** Answers received (any status). */
  answered: number
  /** Requests that failed or answered other than 200. */
  failed: number
  /** The slowest round trip, in milliseconds, the one still in flight at `stop` included. */
  worstMs: number
}

/**
 * Asks `GET <url>/health` over and over, one request at a time with `gapMs` between them,
 * while something else runs against the same api: how long the api kept other requests
 * waiting. A request still in flight when `stop` is called is waited for and counted, since
 * that is the one a blocked event loop holds back.
 */
export function probeHealth(url: string, gapMs = 10): { stop(): Promise<ProbeReport> } {
  const report: ProbeReport = { answered: 0, failed: 0, worstMs: 0 }
  let running = true
  const loop = (async () => {
    while (running) {
      const start = performance.now()
      try {
        const res = await fetch(`${url}/health`)
        await res.arrayBuffer()
        report.answered++
        if (res.status !== 200) report.failed++
      } catch {
        report.failed++
      }
      report.worstMs = Math.max(report.worstMs, performance.now() - start)
      if (running) await Bun.sleep(gapMs)
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      return report
    },
  }
}
