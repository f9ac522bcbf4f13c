/**
 * The carrier × province view: colour scales per metric (one definition for the matrix's cells and the maps'
 * visualMap), and the matrix of an instant test computed here from its per-agent answers, in the shape the server's
 * `/tasks/{id}/matrix` answers for a task.
 */
import type { Matrix, MatrixCell } from '@/api'
import { latencyOf } from './charts'
import { mapRegion, placeKey, placeOrder, type Dimension } from './places'

export type Metric = 'latency' | 'loss' | 'availability'
export const METRICS: Metric[] = ['latency', 'loss', 'availability']
export type PlaceGroups = Pick<Matrix, 'cells' | 'provinces' | 'carriers' | 'countries'>

/** A band of a scale, as ECharts' piecewise visualMap takes it (`gte` ≤ value < `lt`). */
export interface Piece { gte?: number; lt?: number; color: string; label: string }

const GOOD_TO_BAD = ['#2e9d52', '#7cb342', '#e6a23c', '#f56c6c', '#a61d24']
export const NO_DATA = '#c0c4cc'

/** Five bands split at `edges` (ascending); the lowest is the best unless `higherIsBetter` (availability). */
function bands(edges: number[], label: (gte?: number, lt?: number) => string, higherIsBetter = false): Piece[] {
  return [undefined, ...edges].map((gte, i) => {
    const lt = edges[i]
    return { ...(gte === undefined ? {} : { gte }), ...(lt === undefined ? {} : { lt }),
      color: GOOD_TO_BAD[higherIsBetter ? edges.length - i : i], label: label(gte, lt) }
  })
}

export const SCALES: Record<Metric, Piece[]> = {
  latency: bands([20, 60, 120, 250], (lo, hi) => (hi === undefined ? `≥${lo} ms` : `<${hi} ms`)),
  loss: bands([1, 5, 20, 50], (lo, hi) => (hi === undefined ? `≥${lo}%` : `<${hi}%`)),
  availability: bands([80, 95, 99, 99.9], (lo, hi) => (lo === undefined ? `<${hi}%` : `≥${lo}%`), true),
}

/**
 * The number a metric colours by: the median latency; the mean loss where probes measure it (ICMP, UDP), else the
 * share of failed results (a TCP or HTTP probe that failed is its loss); the availability.
 */
export function metricValue(c: MatrixCell, m: Metric): number | null {
  if (c.count === 0) return null
  if (m === 'latency') return c.p50 ?? null
  if (m === 'loss') return c.lossPercentAvg ?? 100 - c.availability
  return c.availability
}

export function colorOf(m: Metric, v: number | null): string {
  if (v == null || !Number.isFinite(v)) return NO_DATA
  return SCALES[m].find((p) => (p.gte === undefined || v >= p.gte) && (p.lt === undefined || v < p.lt))!.color
}

/** An instant test's answer of one agent. */
export interface Answer {
  labels: Record<string, string>
  result: { status: string; measurements: Record<string, number | null>; durationMs: number } | null | undefined
}

/** Percentile at rank floor(q (n − 1)) of sorted values, as the server's docs define its percentiles. */
function rank(sorted: number[], q: number): number | null {
  return sorted.length ? sorted[Math.floor(q * (sorted.length - 1))] : null
}

function stats(answers: Answer[], cell: Pick<MatrixCell, 'province' | 'isp' | 'key'>): MatrixCell {
  const done = answers.filter((a) => a.result)
  const ok = done.filter((a) => a.result!.status === 'SUCCESS').map((a) => latencyOf(a.result!)).sort((a, b) => a - b)
  const losses = done.map((a) => a.result!.measurements?.lossPercent).filter((v): v is number => v != null)
  return {
    ...cell, count: done.length, agents: done.length,
    availability: done.length ? (100 * ok.length) / done.length : 0,
    p50: rank(ok, 0.5), p95: rank(ok, 0.95), p99: rank(ok, 0.99),
    lossPercentAvg: losses.length ? losses.reduce((s, v) => s + v, 0) / losses.length : null,
  }
}

function groupBy(answers: Answer[], key: (a: Answer) => string): Map<string, Answer[]> {
  const m = new Map<string, Answer[]>()
  for (const a of answers) m.set(key(a), [...(m.get(key(a)) ?? []), a])
  return m
}

function groups(answers: Answer[], d: Dimension): MatrixCell[] {
  return [...groupBy(answers, (a) => placeKey(d, a.labels))]
    .sort(([a], [b]) => placeOrder(d)(a, b))
    .map(([key, list]) => stats(list, { province: null, isp: null, key }))
}

/** An instant test's answers as the server's matrix: only agents that answered count. */
export function instantMatrix(answers: Answer[]): PlaceGroups {
  const done = answers.filter((a) => a.result)
  const byProvince = placeOrder('province')
  const byIsp = placeOrder('isp')
  const cells = [...groupBy(done, (a) => `${placeKey('province', a.labels)}\n${placeKey('isp', a.labels)}`)]
    .map(([k, list]) => { const [province, isp] = k.split('\n'); return stats(list, { province, isp, key: null }) })
    .sort((a, b) => byProvince(a.province!, b.province!) || byIsp(a.isp!, b.isp!))
  return { cells, provinces: groups(done, 'province'), carriers: groups(done, 'isp'), countries: groups(done, 'country') }
}

/**
 * A map (`china` by province, `world` by country) with each region shaded by the metric of its group; regions
 * without results keep the base colour. `name`, `format` and `detail` write a region's tooltip.
 */
export function shadedMapOption(map: 'china' | 'world', groups: MatrixCell[], metric: Metric,
  name: (key: string) => string, format: (v: number | null) => string, detail: (g: MatrixCell) => string) {
  const data = groups
    .map((g) => ({ g, region: mapRegion(g.key ?? ''), value: metricValue(g, metric) }))
    .filter((x) => x.region && x.value != null && (map === 'world' || x.g.key!.startsWith('CN-')))
    .map(({ g, region, value }) => ({ name: region!, value, label: name(g.key!), detail: detail(g) }))
  return {
    animation: false,
    tooltip: {
      trigger: 'item',
      formatter: (p: { data?: { label: string; value: number; detail: string } }) =>
        p.data ? `${p.data.label}: ${format(p.data.value)}<br/>${p.data.detail}` : '',
    },
    visualMap: { type: 'piecewise', pieces: SCALES[metric], orient: 'horizontal', left: 'center', bottom: 0,
      itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } },
    series: [{
      type: 'map', map, roam: true, top: 10, bottom: 40, data,
      itemStyle: { areaColor: '#eef2f7', borderColor: '#aab4c3' },
      emphasis: { label: { show: false }, itemStyle: { areaColor: undefined, borderColor: '#303133' } },
      select: { disabled: true },
    }],
  }
}
