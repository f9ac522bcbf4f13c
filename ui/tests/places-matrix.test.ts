import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { i18n } from '@/i18n'
import cases from '../../reference-server/src/test/resources/dev/vantage/server/results/places/places-cases.json'
import { mapRegion, placeKey, placeName, provinces, type Dimension } from '@/lib/places'
import { colorOf, instantMatrix, metricValue, SCALES, shadedMapOption, type Answer } from '@/lib/matrix'
import PlaceMatrix from '@/components/PlaceMatrix.vue'

describe('places', () => {
  it('normalises labels as the server does (the same cases as its PlacesTest)', () => {
    expect(cases.length).toBeGreaterThan(10)
    for (const c of cases) {
      for (const d of ['isp', 'province', 'country', 'region'] as Dimension[]) {
        expect(placeKey(d, c.labels as Record<string, string>), `${d} of ${JSON.stringify(c.labels)}`).toBe(c[d])
      }
    }
  })
  it('names keys in the UI language and on the bundled maps', () => {
    expect(placeName('CN-GD', 'zh-CN')).toBe('广东')
    expect(placeName('CN-GD', 'en')).toBe('Guangdong')
    expect(placeName('telecom', 'zh-CN')).toBe('电信')
    expect(mapRegion('CN-NM')).toBe('内蒙古') // the China map names provinces in Chinese
    expect(mapRegion('US')).toBe('United States of America') // the world map in English, its own way
    expect(provinces).toHaveLength(34)
  })
})

const ok = (ms: number, loss?: number): Answer['result'] => ({ status: 'SUCCESS', durationMs: ms, measurements: loss == null ? {} : { lossPercent: loss } })
const answers: Answer[] = [
  { labels: { isp: '电信', province: '广东省' }, result: ok(10, 0) },
  { labels: { isp: 'chinanet', province: 'Guangdong' }, result: ok(30, 50) },
  { labels: { isp: 'telecom', province: 'guangdong' }, result: { status: 'TIMEOUT', durationMs: 5000, measurements: {} } },
  { labels: { isp: 'cmcc', city: '北京' }, result: ok(80) },
  { labels: { isp: 'unicom', province: 'Beijing' }, result: null }, // not answered yet: not counted
  { labels: { country: 'US' }, result: ok(150) },
]

describe('instantMatrix', () => {
  const m = instantMatrix(answers)
  it('groups answers into province × carrier cells in the lists order', () => {
    expect(m.cells.map((c) => `${c.province}/${c.isp}`)).toEqual(['CN-BJ/mobile', 'CN-GD/telecom', 'other/unknown'])
    const gd = m.cells[1]
    expect(gd).toMatchObject({ count: 3, agents: 3, p50: 10, p95: 10, lossPercentAvg: 25 })
    expect(gd.availability).toBeCloseTo(200 / 3)
    expect(m.provinces.map((p) => p.key)).toEqual(['CN-BJ', 'CN-GD', 'other'])
    expect(m.carriers.map((p) => p.key)).toEqual(['telecom', 'mobile', 'unknown'])
    expect(m.countries.map((p) => [p.key, p.count])).toEqual([['CN', 4], ['US', 1]])
  })
  it('colours by metric, loss falling back to the failed share', () => {
    const gd = m.cells[1]
    expect(metricValue(gd, 'latency')).toBe(10)
    expect(metricValue(gd, 'loss')).toBe(25)
    expect(metricValue(m.cells[0], 'loss')).toBe(0) // no loss measured, nothing failed
    expect(colorOf('latency', 10)).toBe(SCALES.latency[0].color)
    expect(colorOf('latency', 300)).toBe(SCALES.latency[4].color)
    expect(colorOf('availability', 100)).toBe(SCALES.latency[0].color) // the best band is green either way
    expect(colorOf('availability', 50)).toBe(SCALES.latency[4].color)
  })
  it('shades the China map by province and the world map by country', () => {
    const china = shadedMapOption('china', m.provinces, 'latency', (k) => k, String, (g) => `${g.count}`)
    expect(china.series[0].data.map((d) => [d.name, d.value])).toEqual([['北京', 80], ['广东', 10]])
    const world = shadedMapOption('world', m.countries, 'latency', (k) => k, String, (g) => `${g.count}`)
    expect(world.series[0].data.map((d) => d.name)).toEqual(['China', 'United States of America'])
    expect(world.visualMap.pieces).toBe(SCALES.latency)
  })
  it('renders coloured cells with zh names', async () => {
    i18n.global.locale.value = 'zh-CN'
    try {
      const w = mount(PlaceMatrix, { global: { plugins: [ElementPlus, i18n] }, props: { groups: m, metric: 'latency' } })
      expect(w.findAll('[data-testid="matrix-province"]').map((e) => e.text())).toEqual(['北京', '广东', '其他'])
      expect(w.findAll('[data-testid="matrix-carrier"]').map((e) => e.text())).toEqual(['电信', '移动', '未知'])
      const cells = w.findAll('[data-testid="matrix-cell"]')
      expect(cells).toHaveLength(3)
      expect(cells.every((c) => (c.attributes('style') ?? '').includes('background'))).toBe(true)
    } finally {
      i18n.global.locale.value = 'en'
    }
  })
})
