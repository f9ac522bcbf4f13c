import { describe, expect, it } from 'vitest'
import { echarts, ensureMap } from '@/lib/echarts'
import { mapOption } from '@/lib/charts'

// jsdom has no canvas (it says so on every call): ECharts then estimates text widths, as it does on a server
HTMLCanvasElement.prototype.getContext = () => null

/** The agents' names an option draws, rendered on the server side (SVG) at a phone's width. */
function namesDrawn(option: Record<string, unknown>, width: number): string[] {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height: 380 })
  try {
    chart.setOption(option)
    return [...chart.renderToSVGString().matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])
  } finally {
    chart.dispose()
  }
}

describe('the agents map', () => {
  it('leaves out a name that would be written over another (Beijing and Shanghai on a phone\'s world map)', async () => {
    await ensureMap('world')
    const agents = [
      { name: 'beijing-1', coord: [116.4, 39.9] as [number, number], latency: 10, status: 'SUCCESS' },
      { name: 'shanghai-1', coord: [121.5, 31.2] as [number, number], latency: 7, status: 'SUCCESS' },
      { name: 'frankfurt-1', coord: [8.7, 50.1] as [number, number], latency: 200, status: 'SUCCESS' },
    ]
    const phone = namesDrawn(mapOption('world', agents, 'no answer'), 358).filter((t) => t.endsWith('-1'))
    expect(phone).toHaveLength(2)
    expect(phone).toContain('frankfurt-1')
    // on a wide screen the two cities are far enough apart for both names
    expect(namesDrawn(mapOption('world', agents, 'no answer'), 1600).filter((t) => t.endsWith('-1')).sort())
      .toEqual(['beijing-1', 'frankfurt-1', 'shanghai-1'])
  })
})
