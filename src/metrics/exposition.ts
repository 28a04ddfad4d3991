/** One gauge in Prometheus's text format: its name, what it means, and its labelled values. */
export type Gauge = { name: string; help: string; samples: { labels?: Record<string, string>; value: number }[] }

const labelsText = (labels: Record<string, string> | undefined) =>
  labels && Object.keys(labels).length > 0
    ? `{${Object.entries(labels)
        .map(([key, value]) => `${key}="${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)
        .join(',')}}`
    : ''

/** The text exposition format (version 0.0.4) that Prometheus scrapes. */
export function exposition(gauges: Gauge[]): string {
  return gauges
    .map(({ name, help, samples }) =>
      [
        `# HELP ${name} ${help}`,
        `# TYPE ${name} gauge`,
        ...samples.map(({ labels, value }) => `${name}${labelsText(labels)} ${value}`),
      ].join('\n'),
    )
    .join('\n')
    .concat('\n')
}
