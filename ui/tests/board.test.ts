import { describe, expect, it } from 'vitest'
import { chartWindow, durationMs } from '@/lib/ranges'
import { taskState, uptime } from '@/lib/status'
import { sparklineOption } from '@/lib/charts'
import type { Bucket } from '@/api/types'

const NOW = Date.parse('2026-03-01T12:00:00Z')
const ago = (ms: number) => new Date(NOW - ms).toISOString()
const MIN = 60_000
const HOUR = 60 * MIN

describe('durationMs', () => {
  it('reads the task-spec spellings', () => {
    expect(durationMs('250ms')).toBe(250)
    expect(durationMs('1.5s')).toBe(1500)
    expect(durationMs('2m')).toBe(120_000)
    expect(durationMs('1d')).toBe(86_400_000)
    expect(durationMs('PT1S')).toBeNull()
    expect(durationMs(undefined)).toBeNull()
  })
})

describe('chartWindow', () => {
  it('shows the whole span of an old task in buckets of at least its interval', () => {
    const w = chartWindow(24 * HOUR, NOW, { createdAt: ago(30 * 24 * HOUR), interval: '30s' }, 120)
    expect(w.bucket).toBe('15m') // 96 points
    expect(w.from).toBe(ago(24 * HOUR))
    expect(w.to).toBe(new Date(NOW).toISOString())
  })

  it('starts a young task\'s chart with the task, not a day before it (one dot at the edge)', () => {
    const w = chartWindow(24 * HOUR, NOW, { createdAt: ago(10 * MIN), interval: '2s' }, 120)
    expect(Date.parse(w.from)).toBeGreaterThanOrEqual(NOW - 10 * MIN - w.bucketMs)
    expect(w.bucket).toBe('5s')
    expect((NOW - Date.parse(w.from)) / w.bucketMs).toBeLessThanOrEqual(121)
  })

  it('gives a brand-new task five intervals, so its very first result is not stretched across the chart', () => {
    expect(Date.parse(chartWindow(HOUR, NOW, { createdAt: ago(3_000), interval: '1s' }).from)).toBe(NOW - 5_000)
    expect(Date.parse(chartWindow(HOUR, NOW, { createdAt: ago(3_000), interval: '30s' }).from)).toBe(NOW - 150_000)
    expect(Date.parse(chartWindow(HOUR, NOW, { createdAt: ago(20_000), interval: '1s' }).from)).toBe(NOW - 20_000)
  })

  it('never makes buckets finer than the interval, nor starts off a bucket boundary', () => {
    const w = chartWindow(HOUR, NOW + 1234, { createdAt: ago(2 * HOUR), interval: '5m' }, 120)
    expect(w.bucket).toBe('5m')
    expect(Date.parse(w.from) % w.bucketMs).toBe(0)
  })
})

describe('taskState', () => {
  const r = (agentId: string, status: 'SUCCESS' | 'FAILURE', secondsAgo: number) => ({ agentId, status, startedAt: ago(secondsAgo * 1000) })
  const task = { enabled: true, interval: '10s' }

  it('is up, down or degraded by each agent\'s latest result', () => {
    expect(taskState(task, [r('a', 'SUCCESS', 1), r('b', 'SUCCESS', 2), r('a', 'FAILURE', 11)])).toBe('up')
    expect(taskState(task, [r('a', 'FAILURE', 1), r('b', 'FAILURE', 2), r('a', 'SUCCESS', 11)])).toBe('down')
    expect(taskState(task, [r('a', 'SUCCESS', 1), r('b', 'FAILURE', 2)])).toBe('degraded')
  })

  it('forgets agents that stopped reporting, is pending without results and paused when disabled', () => {
    expect(taskState(task, [r('a', 'SUCCESS', 1), r('gone', 'FAILURE', 120)])).toBe('up')
    expect(taskState(task, [])).toBe('pending')
    expect(taskState({ ...task, enabled: false }, [r('a', 'FAILURE', 1)])).toBe('paused')
  })
})

describe('uptime and sparkline', () => {
  const b = (count: number, availability: number, p50: number | null = 5): Bucket => ({
    start: ago(count * MIN), agentId: 'a', group: null, count, availability, p50, p95: p50, p99: p50, min: p50, max: p50, lossPercentAvg: null,
  })

  it('weights each bucket by its results', () => {
    expect(uptime([b(3, 100), b(1, 0)])).toBe(75)
    expect(uptime([])).toBeNull()
  })

  it('draws a young task\'s first bucket as a dot: a line of one point is invisible', () => {
    expect(sparklineOption([b(1, 100)]).series[0].showSymbol).toBe(true)
    expect(sparklineOption([b(1, 100), b(2, 100), b(3, 100)]).series[0].showSymbol).toBe(false)
  })
})
