import { describe, expect, it } from 'vitest'
import { latencyOf, latencyOption, lossOf, mergeBuckets, perAgent, smokeOption, sparklineOption } from '@/lib/charts'
import type { Bucket } from '@/api/types'

const b = (start: string, agentId: string, count: number, p50: number, extra: Partial<Bucket> = {}): Bucket => ({
  start, agentId, group: null, count, availability: 100, p50, p95: p50 * 2, p99: p50 * 3, min: p50 / 2, max: p50 * 4, lossPercentAvg: null, ...extra,
})

describe('mergeBuckets', () => {
  it('folds agents of one bucket with count weights and keeps exact min/max', () => {
    const m = mergeBuckets([b('2025-01-01T00:01:00Z', 'a', 3, 10), b('2025-01-01T00:00:00Z', 'a', 1, 5), b('2025-01-01T00:01:00Z', 'b', 1, 30, { availability: 0 })])
    expect(m.map((x) => x.start)).toEqual(['2025-01-01T00:00:00Z', '2025-01-01T00:01:00Z'])
    expect(m[1].count).toBe(4)
    expect(m[1].p50).toBeCloseTo((3 * 10 + 30) / 4)
    expect(m[1].availability).toBeCloseTo(75)
    expect(m[1].min).toBe(5)
    expect(m[1].max).toBe(120)
  })

  it('leaves a bucket without a successful result out of the latencies, which it has none of', () => {
    const failed = b('2025-01-01T00:01:00Z', 'b', 5, 0, { availability: 0, p50: null, p95: null, p99: null, min: null, max: null })
    const m = mergeBuckets([b('2025-01-01T00:01:00Z', 'a', 1, 10), failed])
    expect(m[0].count).toBe(6)
    expect(m[0].availability).toBeCloseTo(100 / 6)
    expect(m[0].p50).toBe(10)
    expect(m[0].min).toBe(5)
    expect(m[0].max).toBe(40)
    expect(perAgent([failed, { ...failed, start: '2025-01-01T00:02:00Z' }])[0].p50).toBeNull()
    // a gap in the chart, not a latency of 0
    expect(latencyOption([failed], { p50: 'p50', band: 'band', loss: 'loss', latency: 'ms' }).series[2].data[0]).toEqual(['2025-01-01T00:01:00Z', null])
  })

  it('groups per agent over the window', () => {
    const rows = perAgent([b('t1', 'a', 1, 10), b('t2', 'a', 1, 20), b('t1', 'b', 2, 7)])
    expect(rows.map((r) => r.agentId).sort()).toEqual(['a', 'b'])
    expect(rows.find((r) => r.agentId === 'a')!.p50).toBe(15)
  })
})

describe('loss and latency', () => {
  it('prefers the probe loss measurement, else failed share', () => {
    expect(lossOf(b('t', 'a', 1, 1, { availability: 90 }))).toBe(10)
    expect(lossOf(b('t', 'a', 1, 1, { availability: 100, lossPercentAvg: 33 }))).toBe(33)
  })
  it('uses rttAvgMs when measured, like the server aggregates', () => {
    expect(latencyOf({ measurements: { rttAvgMs: 1.5 }, durationMs: 2000 })).toBe(1.5)
    expect(latencyOf({ measurements: {}, durationMs: 12 })).toBe(12)
  })
})

describe('options', () => {
  const data = [b('2025-01-01T00:00:00Z', 'a', 2, 10), b('2025-01-01T00:01:00Z', 'a', 2, 12, { availability: 50 })]
  it('latency chart has a p50 line inside a stacked p50–p95 band and loss bars', () => {
    const o = latencyOption(data, { p50: 'p50', band: 'band', loss: 'loss', latency: 'ms' })
    const names = o.series.map((s) => s.name)
    expect(names).toEqual(['base', 'band', 'p50', 'loss'])
    expect(o.series[1].data[0]).toEqual(['2025-01-01T00:00:00Z', 10]) // p95 - p50 stacked on p50
    expect(o.series[3].data[1]).toEqual(['2025-01-01T00:01:00Z', 50])
  })
  it('smoke chart stacks min..max and colors the median by loss', () => {
    const o = smokeOption(data, { median: 'median', latency: 'ms', loss: 'loss' })
    expect(o.series).toHaveLength(6)
    expect(o.visualMap.seriesIndex).toBe(5)
    expect(o.series[5].data[1]).toEqual(['2025-01-01T00:01:00Z', 12, 50])
  })
  it('sparkline draws one point per bucket', () => {
    expect(sparklineOption(data).series[0].data).toHaveLength(2)
  })
})
