import { describe, expect, it } from 'vitest'
import { locate } from '@/lib/geo'
import { waterfall } from '@/lib/waterfall'
import { latencyColor, ms, parseLabels } from '@/lib/format'

describe('locate', () => {
  it('places Chinese provinces by pinyin or Chinese name, with their map name', () => {
    expect(locate({ country: 'CN', province: 'Guangdong' })).toMatchObject({ province: '广东', country: 'CN' })
    expect(locate({ province: '广东省' })).toMatchObject({ province: '广东', country: 'CN' })
    expect(locate({ country: 'cn', city: 'Shenzhen' })!.province).toBe('广东')
  })
  it('places other countries and gives up on unknown places', () => {
    expect(locate({ country: 'DE', city: 'Frankfurt' })!.coord).toEqual([8.7, 50.1])
    expect(locate({ country: 'Germany' })!.country).toBe('DE')
    expect(locate({ region: 'local' })).toBeNull()
  })
})

describe('waterfall', () => {
  it('starts each phase where the previous ended and shows the rest', () => {
    const bars = waterfall({ dns: 1, connect: 2, ttfb: 3 }, 10)
    expect(bars).toEqual([
      { name: 'dns', start: 0, duration: 1 },
      { name: 'connect', start: 1, duration: 2 },
      { name: 'ttfb', start: 3, duration: 3 },
      { name: 'rest', start: 6, duration: 4 },
    ])
    expect(waterfall({}, 5)).toEqual([])
  })
})

describe('format', () => {
  it('formats milliseconds and colors latency', () => {
    expect(ms(0.4)).toBe('0.40 ms')
    expect(ms(12.34)).toBe('12.3 ms')
    expect(ms(2500)).toBe('2.50 s')
    expect(ms(null)).toBe('–')
    expect(latencyColor(5)).toBe('#2e9d52')
    expect(latencyColor(null)).toBe('#909399')
  })
  it('parses label text', () => {
    expect(parseLabels('a=b, c = d\nbad')).toEqual({ a: 'b', c: 'd' })
  })
})
