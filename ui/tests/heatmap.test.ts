import { describe, expect, it } from 'vitest'
import { HEATMAP_RANGES, heatmapOption, heatmapWindow } from '@/lib/heatmap'
import type { Heatmap } from '@/api/types'

const DAY = 86_400_000
const labels = { failed: 'Failed', results: 'results' }

describe('heatmapWindow', () => {
  it('starts on a bucket boundary and keeps a year within about 400 columns', () => {
    const now = Date.parse('2026-12-07T17:45:12Z')
    const w = heatmapWindow('1y', now)
    expect(w.bucket).toBe('1d')
    expect(w.from).toBe('2025-12-07T00:00:00.000Z')
    expect(w.to).toBe('2026-12-07T17:45:12.000Z')
    for (const r of HEATMAP_RANGES) {
      const x = heatmapWindow(r.key, now)
      expect(Date.parse(x.from) % x.bucketMs).toBe(0)
      expect((now - Date.parse(x.from)) / x.bucketMs).toBeLessThanOrEqual(400)
    }
    expect(heatmapWindow('24h', now).bucket).toBe('10m')
  })
})

describe('heatmapOption', () => {
  const h: Heatmap = {
    taskId: 't', bucket: '1d', from: '2025-01-01T00:00:00Z', to: '2025-01-04T00:00:00Z', resolution: '1d',
    edges: [1, 10, 100],
    items: [
      { start: '2025-01-01T00:00:00Z', count: 5, failures: 0, lossPercentAvg: null, bands: [3, 2] },
      // the second day had no results: its column stays, empty
      { start: '2025-01-03T00:00:00Z', count: 4, failures: 4, lossPercentAvg: 100, bands: [0, 0] },
    ],
  }

  it('draws a column per bucket, a row per band above a row of failures, and only cells with results', () => {
    const o = heatmapOption(h, DAY, labels)
    expect(o.xAxis.data).toHaveLength(3)
    expect(o.yAxis.data).toEqual(['Failed', '1.0 ms', '10.0 ms'])
    expect(o.series[0].data).toEqual([[0, 1, 3], [0, 2, 2]])
    expect(o.series[1].data).toEqual([[2, 0, 4]])
    expect(o.visualMap[0].max).toBe(3)
    expect(o.visualMap[1].max).toBe(4)
    expect(o.tooltip.formatter({ seriesIndex: 0, value: [0, 2, 2] })).toContain('10.0 ms – 100 ms: 2 results')
    expect(o.tooltip.formatter({ seriesIndex: 1, value: [2, 0, 4] })).toContain('Failed: 4 results')
  })

  it('has no bands when nothing succeeded', () => {
    const o = heatmapOption({ ...h, edges: [], items: [{ ...h.items[1], bands: [] }] }, DAY, labels)
    expect(o.yAxis.data).toEqual(['Failed'])
    expect(o.series[0].data).toEqual([])
    expect(o.series[1].data).toHaveLength(1)
  })
})
