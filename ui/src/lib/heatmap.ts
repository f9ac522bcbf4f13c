// The SmokePing-style latency heatmap of the task page: which window a range asks /heatmap for, and the ECharts option
// drawn from the answer. Pure functions, unit-tested without a canvas.
import type { Heatmap } from '@/api/types'
import { ms, uiLocale } from './format'

const HOUR = 3600_000
const DAY = 24 * HOUR

/**
 * The heatmap's ranges and their bucket: at most ~370 columns (a year is 365 days), each bucket a whole number of
 * the rollups the server reads it from (10 minutes of minute rollups, hours of hour rollups, days of day rollups).
 */
export const HEATMAP_RANGES = [
  { key: '24h', ms: DAY, bucket: '10m', bucketMs: 10 * 60_000 },
  { key: '7d', ms: 7 * DAY, bucket: '1h', bucketMs: HOUR },
  { key: '30d', ms: 30 * DAY, bucket: '2h', bucketMs: 2 * HOUR },
  { key: '90d', ms: 90 * DAY, bucket: '6h', bucketMs: 6 * HOUR },
  { key: '1y', ms: 365 * DAY, bucket: '1d', bucketMs: DAY },
] as const

export type HeatmapRange = (typeof HEATMAP_RANGES)[number]['key']

/** The window of a range up to now, starting on a bucket boundary. */
export function heatmapWindow(key: HeatmapRange, nowMs: number) {
  const r = HEATMAP_RANGES.find((x) => x.key === key)!
  const from = Math.floor((nowMs - r.ms) / r.bucketMs) * r.bucketMs
  return { from: new Date(from).toISOString(), to: new Date(nowMs).toISOString(), bucket: r.bucket, bucketMs: r.bucketMs }
}

/** A column's label: the day for day buckets, else the day and time. */
function columnLabel(t: number, bucketMs: number): string {
  const day: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric' }
  const opts: Intl.DateTimeFormatOptions = bucketMs >= DAY ? day : { ...day, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
  return new Date(t).toLocaleString(uiLocale(), opts)
}

/**
 * ECharts heatmap: a column per bucket of the window (empty ones too, so gaps show as gaps), a row per latency band
 * (labelled with its lower edge) and under them a row of failed results in red. Colour is the number of results; a
 * cell without results is left out, so it stays blank.
 */
export function heatmapOption(h: Heatmap, bucketMs: number, l: { failed: string; results: string }) {
  const from = Date.parse(h.from)
  const columns: number[] = []
  for (let t = Math.floor(from / bucketMs) * bucketMs; t < Date.parse(h.to); t += bucketMs) columns.push(t)
  const col = (start: string) => Math.round((Date.parse(start) - columns[0]) / bucketMs)
  const bands = Math.max(h.edges.length - 1, 0)
  const cells: [number, number, number][] = []
  const failures: [number, number, number][] = []
  for (const item of h.items) {
    item.bands.forEach((n, b) => n > 0 && cells.push([col(item.start), b + 1, n]))
    if (item.failures > 0) failures.push([col(item.start), 0, item.failures])
  }
  const most = (list: [number, number, number][]) => list.reduce((m, c) => Math.max(m, c[2]), 1)
  const x = columns.map((t) => columnLabel(t, bucketMs))
  const y = [l.failed, ...Array.from({ length: bands }, (_, b) => ms(h.edges[b]))]
  return {
    animation: false,
    tooltip: {
      formatter: (p: { seriesIndex: number; value: [number, number, number] }) => {
        const [c, row, n] = p.value
        const what = p.seriesIndex === 1 ? l.failed : `${ms(h.edges[row - 1])} – ${ms(h.edges[row])}`
        return `${x[c]}<br/>${what}: ${n} ${l.results}`
      },
    },
    grid: { left: 64, right: 16, top: 40, bottom: 56 },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 6 }],
    xAxis: { type: 'category', data: x, axisLabel: { hideOverlap: true }, splitArea: { show: false } },
    yAxis: { type: 'category', data: y, axisLabel: { hideOverlap: true }, splitArea: { show: false } },
    visualMap: [
      { type: 'continuous', seriesIndex: 0, min: 0, max: most(cells), orient: 'horizontal', left: 'center', top: 0,
        itemWidth: 10, itemHeight: 120, text: [String(most(cells)), '0'], textStyle: { fontSize: 11 },
        inRange: { color: ['#e8f3ff', '#79bbff', '#2a6fdb', '#0b2e6b'] } },
      { type: 'continuous', seriesIndex: 1, min: 0, max: most(failures), show: false, inRange: { color: ['#fab6b6', '#c0392b'] } },
    ],
    series: [
      { type: 'heatmap', data: cells, progressive: 0 },
      { type: 'heatmap', data: failures, progressive: 0 },
    ],
  }
}
