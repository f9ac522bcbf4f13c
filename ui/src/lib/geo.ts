import { cnCities, normal, place, placeKey, type Entry } from './places'

/**
 * Where an agent is, from its labels `country`, `province` and `city` (any case; ISO code, English or Chinese
 * name). A bundled table, so the page asks no outside service. Unknown places give null: the agent is then listed
 * but not drawn on the map.
 */
export type LonLat = [number, number]

/** An agent as the map draws it. */
export interface MapAgent {
  name: string
  labels: Record<string, string>
  latency: number | null
  status: string
}

export interface Place {
  coord: LonLat
  /** The province's name in the China map (e.g. "广东"), when the agent is in China and its province is known. */
  province: string | null
  country: string | null
}

/** Cities abroad, for the world map's points (Chinese ones are in places.json). */
const CITIES: [number, number, string, ...string[]][] = [
  [-122.4, 37.8, 'san francisco', '旧金山'], [-118.2, 34.1, 'los angeles', '洛杉矶'],
  [-74.0, 40.7, 'new york', '纽约'], [-77.5, 39.0, 'ashburn'], [-122.3, 47.6, 'seattle', '西雅图'],
  [139.7, 35.7, 'tokyo', '东京'], [135.5, 34.7, 'osaka', '大阪'], [126.98, 37.57, 'seoul', '首尔'],
  [8.7, 50.1, 'frankfurt', '法兰克福'], [-0.13, 51.5, 'london', '伦敦'], [2.35, 48.86, 'paris', '巴黎'],
  [4.9, 52.4, 'amsterdam', '阿姆斯特丹'], [72.9, 19.1, 'mumbai', '孟买'], [151.2, -33.9, 'sydney', '悉尼'],
  [-46.6, -23.6, 'sao paulo', '圣保罗'], [37.6, 55.8, 'moscow', '莫斯科'],
]

const cities = new Map<string, LonLat>()
for (const [lon, lat, ...names] of CITIES) {
  for (const n of names) cities.set(normal(n), [lon, lat])
}
for (const c of cnCities) {
  for (const n of c.aliases) cities.set(normal(n), [c.lon, c.lat])
}

function coordOf(e: Entry | undefined): LonLat | undefined {
  return e?.lon === undefined || e.lat === undefined ? undefined : [e.lon, e.lat]
}

/** The labels normalised as the server groups them (places.ts), then the most precise coordinates known. */
export function locate(labels: Record<string, string>): Place | null {
  const provinceKey = placeKey('province', labels)
  const province = provinceKey.startsWith('CN-') ? place(provinceKey) : undefined
  const country = place(placeKey('country', labels))
  const coord = cities.get(normal(labels.city)) ?? coordOf(province) ?? coordOf(country)
  if (!coord) return null
  return { coord, province: province?.zh ?? null, country: country?.key ?? null }
}
