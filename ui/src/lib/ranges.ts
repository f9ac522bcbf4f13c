// Which window and bucket size a chart asks /aggregates for: pure functions, unit-tested.

/** Bucket sizes the charts use, smallest first: as the API spells them, and in milliseconds. */
const SIZES: [string, number][] = [
  ['1s', 1_000], ['2s', 2_000], ['5s', 5_000], ['10s', 10_000], ['15s', 15_000], ['30s', 30_000],
  ['1m', 60_000], ['2m', 120_000], ['5m', 300_000], ['10m', 600_000], ['15m', 900_000], ['30m', 1_800_000],
  ['1h', 3_600_000], ['2h', 7_200_000], ['3h', 10_800_000], ['6h', 21_600_000], ['12h', 43_200_000], ['1d', 86_400_000],
]

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** A task-spec duration (`250ms`, `1.5s`, `2m`) in milliseconds; null for one it cannot read (ISO-8601 `PT1S`). */
export function durationMs(text: string | null | undefined): number | null {
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)$/.exec((text ?? '').trim())
  return m ? Number(m[1]) * UNITS[m[2]] : null
}

export interface ChartWindow {
  /** Start of the window (ISO), on a bucket boundary. */
  from: string
  /** End of the window (ISO): now. */
  to: string
  /** Bucket size as the API takes it. */
  bucket: string
  bucketMs: number
}

/**
 * The window for "the last `spanMs`" of a task: from the task's start when it is younger than that, so a new task
 * fills the chart instead of being one dot at its right edge (but at least five intervals, so its very first result
 * is not stretched across the chart). Buckets are at least the task's interval, so most hold a result, and
 * make at most `points` points.
 */
export function chartWindow(
  spanMs: number,
  nowMs: number,
  task: { createdAt?: string | null; interval?: string | null } = {},
  points = 120,
): ChartWindow {
  const interval = durationMs(task.interval) ?? 1_000
  const created = task.createdAt ? Date.parse(task.createdAt) : NaN
  const age = Number.isFinite(created) ? nowMs - created : Infinity
  const span = Math.min(spanMs, Math.max(age, 5 * interval))
  const [bucket, bucketMs] = SIZES.find(([, ms]) => ms >= interval && span / ms <= points) ?? SIZES[SIZES.length - 1]
  const from = Math.floor((nowMs - span) / bucketMs) * bucketMs
  return { from: new Date(from).toISOString(), to: new Date(nowMs).toISOString(), bucket, bucketMs }
}
