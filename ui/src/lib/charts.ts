// ECharts options built from aggregate buckets: pure functions, so they are unit-tested without a canvas.
import type { Bucket } from '@/api/types'
import { clock, uiLocale } from './format'

/** A count-weighted mean; null for no buckets. */
function weighted(list: Bucket[], f: (b: Bucket) => number | null): number | null {
  const count = list.reduce((s, b) => s + b.count, 0)
  return list.length ? list.reduce((s, b) => s + (f(b) ?? 0) * b.count, 0) / (count || 1) : null
}

/**
 * Folds buckets into one (count-weighted percentiles: an estimate; min and max exact). A bucket without a
 * successful result has no latencies (null), so only the others count for them.
 */
export function summarize(list: Bucket[], start: string, agentId: string): Bucket {
  if (list.length === 1) return list[0]
  const timed = list.filter((b) => b.p50 != null)
  const losses = list.filter((b) => b.lossPercentAvg != null)
  return {
    start,
    agentId,
    group: list[0].group,
    count: list.reduce((s, b) => s + b.count, 0),
    availability: weighted(list, (b) => b.availability) ?? 0,
    p50: weighted(timed, (b) => b.p50),
    p95: weighted(timed, (b) => b.p95),
    p99: weighted(timed, (b) => b.p99),
    min: timed.length ? Math.min(...timed.map((b) => b.min ?? Infinity)) : null,
    max: timed.length ? Math.max(...timed.map((b) => b.max ?? -Infinity)) : null,
    lossPercentAvg: losses.length ? losses.reduce((s, b) => s + (b.lossPercentAvg ?? 0), 0) / losses.length : null,
  }
}

function groupBy(items: Bucket[], key: (b: Bucket) => string): Map<string, Bucket[]> {
  const m = new Map<string, Bucket[]>()
  for (const b of items) {
    const list = m.get(key(b))
    if (list) list.push(b)
    else m.set(key(b), [b])
  }
  return m
}

/** One row per bucket start with all agents folded in, ordered by time. */
export function mergeBuckets(items: Bucket[]): Bucket[] {
  return [...groupBy(items, (b) => b.start)]
    .map(([start, list]) => summarize(list, start, list.length === 1 ? (list[0].agentId ?? '*') : '*'))
    .sort((a, b) => a.start.localeCompare(b.start))
}

/** One row per agent over the whole window. */
export function perAgent(items: Bucket[]): Bucket[] {
  return [...groupBy(items, (b) => b.agentId ?? '*')].map(([agentId, list]) =>
    summarize(list, list.map((b) => b.start).sort()[0], agentId),
  )
}

/** Loss of a bucket: the probe's own loss measurement (ICMP) when present, else the share of failed attempts. */
export function lossOf(b: Bucket): number {
  return b.lossPercentAvg ?? 100 - b.availability
}

/** Rounded to a microsecond; null (no latency: a gap in the chart) stays null. */
function round(v: number): number
function round(v: number | null): number | null
function round(v: number | null): number | null {
  return v == null ? null : Math.round(v * 1000) / 1000
}

/** How far `high` lies above `low`, for stacked bands; null when either is unknown. */
const above = (high: number | null, low: number | null) => (high == null || low == null ? null : Math.max(0, high - low))

/**
 * A time axis over the requested window, so a chart with few buckets still shows the window, not a guess. Labels
 * that would overlap (a narrow phone, a day boundary's longer label) are left out rather than drawn over each other.
 */
function timeAxis(range?: [string, string]) {
  const zh = uiLocale() === 'zh-CN'
  // a day boundary reads "Dec 7" / "12月7日", not ECharts' bare "7"
  const formatter = {
    year: '{yyyy}', month: zh ? '{M}月{d}日' : '{MMM} {d}', day: zh ? '{M}月{d}日' : '{MMM} {d}',
    hour: '{HH}:{mm}', minute: '{HH}:{mm}', second: '{HH}:{mm}:{ss}', millisecond: '{HH}:{mm}:{ss}',
  }
  const axis = { type: 'time', axisLabel: { hideOverlap: true, formatter } }
  return range ? { ...axis, min: range[0], max: range[1] } : axis
}

/**
 * A small latency line without axes. A line needs two points: with fewer buckets (a new task) each is drawn as a
 * dot, so the sparkline never stays blank while there are results.
 */
export function sparklineOption(buckets: Bucket[], range?: [string, string]) {
  const few = buckets.filter((b) => b.p50 != null).length < 3
  return {
    animation: false,
    grid: { left: 3, right: 3, top: 3, bottom: 3 },
    xAxis: { ...timeAxis(range), show: false },
    yAxis: { type: 'value', show: false, min: 0 },
    series: [
      {
        type: 'line',
        showSymbol: few,
        symbol: 'circle',
        symbolSize: 4,
        itemStyle: { color: '#409eff' },
        lineStyle: { width: 1.5, color: '#409eff' },
        areaStyle: { color: 'rgba(64,158,255,0.15)' },
        data: buckets.map((b) => [b.start, round(b.p50)]),
      },
    ],
  }
}

export interface ChartLabels {
  p50: string
  band: string
  loss: string
  latency: string
}

/** Latency over time: the p50 line inside a p50–p95 band, and loss as bars on a second axis. */
export function latencyOption(buckets: Bucket[], l: ChartLabels, range?: [string, string]) {
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { data: [l.p50, l.band, l.loss], top: 0 },
    grid: { left: 50, right: 45, top: 56, bottom: 50 },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 6 }],
    xAxis: timeAxis(range),
    yAxis: [
      { type: 'value', name: l.latency, min: 0, axisLabel: { formatter: '{value} ms' } },
      { type: 'value', name: l.loss, min: 0, max: 100, axisLabel: { formatter: '{value}%' }, splitLine: { show: false } },
    ],
    series: [
      { name: 'base', type: 'line', stack: 'band', showSymbol: false, lineStyle: { opacity: 0 }, tooltip: { show: false },
        data: buckets.map((b) => [b.start, round(b.p50)]) },
      { name: l.band, type: 'line', stack: 'band', showSymbol: false, lineStyle: { opacity: 0 },
        areaStyle: { color: 'rgba(64,158,255,0.25)' }, data: buckets.map((b) => [b.start, round(above(b.p95, b.p50))]) },
      { name: l.p50, type: 'line', showSymbol: buckets.length < 3, lineStyle: { color: '#409eff', width: 2 },
        itemStyle: { color: '#409eff' }, data: buckets.map((b) => [b.start, round(b.p50)]) },
      { name: l.loss, type: 'bar', yAxisIndex: 1, itemStyle: { color: 'rgba(245,108,108,0.7)' }, barMaxWidth: 8,
        data: buckets.map((b) => [b.start, round(lossOf(b))]) },
    ],
  }
}

/** Loss bands SmokePing colors its median by. */
export const LOSS_PIECES = [
  { lte: 0, color: '#26a65b', label: '0%' },
  { gt: 0, lte: 5, color: '#2f7ed8', label: '≤5%' },
  { gt: 5, lte: 20, color: '#8e44ad', label: '≤20%' },
  { gt: 20, lte: 50, color: '#e67e22', label: '≤50%' },
  { gt: 50, color: '#c0392b', label: '>50%' },
]

/**
 * SmokePing-style distribution: grey "smoke" from min to max, darker towards the median (min–p50–p95–p99–max
 * stacked), and the median drawn as points colored by loss.
 */
export function smokeOption(buckets: Bucket[], l: { median: string; latency: string; loss: string }, range?: [string, string]) {
  const shades = ['rgba(0,0,0,0.10)', 'rgba(0,0,0,0.28)', 'rgba(0,0,0,0.18)', 'rgba(0,0,0,0.08)']
  const steps: ((b: Bucket) => number | null)[] = [
    (b) => above(b.p50, b.min),
    (b) => above(b.p95, b.p50),
    (b) => above(b.p99, b.p95),
    (b) => above(b.max, b.p99),
  ]
  const smoke = steps.map((f, i) => ({
    name: `smoke${i}`, type: 'line', stack: 'smoke', showSymbol: false, lineStyle: { opacity: 0 }, step: 'middle',
    areaStyle: { color: shades[i] }, tooltip: { show: false },
    data: buckets.map((b) => [b.start, round(f(b))]),
  }))
  return {
    animation: false,
    tooltip: {
      trigger: 'item',
      formatter: (p: { value: [string, number, number] }) =>
        `${clock(p.value[0])}<br/>${l.median}: ${p.value[1]} ms<br/>${l.loss}: ${p.value[2]}%`,
    },
    grid: { left: 50, right: 20, top: 56, bottom: 30 },
    visualMap: { type: 'piecewise', dimension: 2, seriesIndex: 5, orient: 'horizontal', top: 0, left: 'center',
      pieces: LOSS_PIECES, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } },
    xAxis: timeAxis(range),
    yAxis: { type: 'value', name: l.latency, min: 0, axisLabel: { formatter: '{value} ms' } },
    series: [
      { name: 'smokeBase', type: 'line', stack: 'smoke', showSymbol: false, lineStyle: { opacity: 0 }, step: 'middle',
        tooltip: { show: false }, data: buckets.map((b) => [b.start, round(b.min)]) },
      ...smoke,
      { name: l.median, type: 'scatter', symbolSize: 6,
        data: buckets.map((b) => [b.start, round(b.p50), round(lossOf(b))]) },
    ],
  }
}

/** Agents on a map (world or China), colored by latency; agents without a known place are left out. */
export function mapOption(
  map: 'world' | 'china',
  points: { name: string; coord: [number, number]; latency: number | null; status: string }[],
  noAnswer: string,
) {
  return {
    animation: false,
    tooltip: {
      trigger: 'item',
      formatter: (p: { data?: { name: string; value: [number, number, number | null]; status: string } }) =>
        p.data ? `${p.data.name}<br/>${p.data.value[2] == null ? noAnswer : `${p.data.value[2]} ms`} (${p.data.status})` : '',
    },
    geo: { map, roam: true, itemStyle: { areaColor: '#eef2f7', borderColor: '#aab4c3' },
      emphasis: { itemStyle: { areaColor: '#dde6f2' }, label: { show: false } } },
    visualMap: { type: 'piecewise', dimension: 2, seriesIndex: 0, orient: 'horizontal', left: 'center', bottom: 0,
      pieces: [
        { lt: 20, color: '#2e9d52', label: '<20 ms' },
        { gte: 20, lt: 60, color: '#7cb342', label: '<60' },
        { gte: 60, lt: 120, color: '#e6a23c', label: '<120' },
        { gte: 120, lt: 250, color: '#f56c6c', label: '<250' },
        { gte: 250, color: '#a61d24', label: '≥250' },
      ],
      outOfRange: { color: '#909399' }, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } },
    series: [
      { type: 'scatter', coordinateSystem: 'geo', symbolSize: 12, itemStyle: { borderColor: '#fff', borderWidth: 1 },
        label: { show: true, formatter: '{b}', position: 'right', fontSize: 10 },
        // agents in nearby cities (Beijing and Shanghai on a phone's world map) would print their names over each
        // other: one name is left out (its dot and tooltip stay). ECharts' moveOverlap does not move the labels of
        // a scatter on a map (6.1.0)
        labelLayout: { hideOverlap: true },
        data: points.map((p) => ({ name: p.name, status: p.status, value: [p.coord[0], p.coord[1], p.latency == null ? null : round(p.latency)] })) },
    ],
  }
}

/** A result's latency as the server's aggregates count it: the mean round trip where measured, else the duration. */
export function latencyOf(r: { measurements: Record<string, number | null>; durationMs: number }): number {
  const rtt = r.measurements?.rttAvgMs
  return rtt != null && Number.isFinite(rtt) ? rtt : r.durationMs
}
