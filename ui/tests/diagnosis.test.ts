import { describe, expect, it } from 'vitest'
import { answersOf, barWidth, groupByAnswers, hopsOf } from '@/lib/diagnosis'

const trace = {
  attributes: {
    hops: JSON.stringify([
      { ttl: 1, address: '10.0.0.1', sent: 3, received: 3, lossPercent: 0, rttMinMs: 0.4, rttAvgMs: 0.5, rttMaxMs: 0.6 },
      { ttl: 2, address: '*', sent: 3, received: 0, lossPercent: 100 },
      { ttl: 3, address: '192.0.2.1', destination: true, sent: 3, received: 2, lossPercent: 33.3, rttMinMs: 1, rttAvgMs: 2, rttMaxMs: 4 },
    ]),
  },
}

describe('diagnosis', () => {
  it('reads the hop table and scales bars to the worst round trip', () => {
    const hops = hopsOf(trace)
    expect(hops.map((h) => h.address)).toEqual(['10.0.0.1', '*', '192.0.2.1'])
    expect(barWidth(hops[2], hops)).toBe(50)
    expect(barWidth(hops[1], hops)).toBe(0)
    expect(hopsOf({ attributes: { hops: 'not json' } })).toEqual([])
    expect(hopsOf({ attributes: {} })).toEqual([])
  })

  it('groups agents by answer set, whatever the order, largest group first', () => {
    const dns = (answers?: string[]) => ({ attributes: (answers ? { answers: JSON.stringify(answers) } : {}) as Record<string, string> })
    const rows = [
      { name: 'bj-unicom', result: dns(['192.0.2.1', '192.0.2.2']) },
      { name: 'sh-telecom', result: dns(['192.0.2.2', '192.0.2.1']) },
      { name: 'gz-mobile', result: dns(['198.51.100.7']) },
      { name: 'broken', result: dns() },
      { name: 'waiting', result: null },
    ]
    const groups = groupByAnswers(rows, (r) => r.result)
    expect(groups.map((g) => g.agents.map((a) => a.name))).toEqual([['bj-unicom', 'sh-telecom'], ['broken'], ['gz-mobile']])
    expect(groups[0].answers).toEqual(['192.0.2.1', '192.0.2.2'])
    expect(groups[1].answers).toBeNull()
    expect(answersOf(dns([]))).toEqual([])
  })
})
