/**
 * Agents' location labels normalised against the server's list (reference-server's places.json, bundled at build
 * time: one list for both). The rules are the server's (results.places.Places) and both run the same cases
 * (places-cases.json), so a label lands in the same group on a task's matrix (server) and an instant test's (here).
 */
import data from '../../../reference-server/src/main/resources/dev/vantage/server/results/places/places.json'

export type Dimension = 'isp' | 'province' | 'country' | 'region'
export const UNKNOWN = 'unknown'
export const OTHER = 'other'

export interface Entry { key: string; en: string; zh: string; lon?: number; lat?: number; map?: string }

export const carriers: Entry[] = data.carriers
export const provinces: Entry[] = data.provinces
export const countries: Entry[] = data.countries

/** Trimmed, lower case, single spaces, no trailing 省/市/自治区/特别行政区/province/city. */
export function normal(v: string | undefined): string {
  return (v ?? '').trim().toLowerCase().replace(/\s+/g, ' ').replace(/(省|市|自治区|特别行政区| province| city)$/u, '').trim()
}

/** Every alias, name and key of a list (normalised) to `target` of its entry. */
function aliases<T extends { aliases: string[] }>(list: T[], target: (e: T) => string): Map<string, string> {
  const m = new Map<string, string>()
  for (const e of list) {
    const named = e as unknown as Partial<Entry>
    for (const n of [...e.aliases, named.key, named.en, named.zh]) {
      if (n !== undefined && !m.has(normal(n))) m.set(normal(n), target(e))
    }
  }
  return m
}

const carrierKeys = aliases(data.carriers, (e) => e.key)
const provinceKeys = aliases(data.provinces, (e) => e.key)
const cityProvinces = aliases(data.cnCities, (e) => e.province)
const countryKeys = aliases(data.countries, (e) => e.key)

function match(keys: Map<string, string>, v: string | undefined): string {
  const n = normal(v)
  return n === '' ? UNKNOWN : keys.get(n) ?? OTHER
}

/** The province label; without one a Chinese city or municipality in `city`; abroad without one: other. */
function province(labels: Record<string, string>): string {
  if ((labels.province ?? '').trim() !== '') return match(provinceKeys, labels.province)
  const city = normal(labels.city)
  const fromCity = cityProvinces.get(city) ?? provinceKeys.get(city)
  if (fromCity) return fromCity
  const country = match(countryKeys, labels.country)
  return country === UNKNOWN || country === 'CN' ? UNKNOWN : OTHER
}

/** The agent's group in dimension `d`: a key of the list, `other`, or `unknown` without the label. */
export function placeKey(d: Dimension, labels: Record<string, string>): string {
  switch (d) {
    case 'isp':
      return match(carrierKeys, labels.isp)
    case 'province':
      return province(labels)
    case 'country': {
      const c = match(countryKeys, labels.country)
      return c === UNKNOWN && province(labels).startsWith('CN-') ? 'CN' : c
    }
    case 'region':
      return (labels.region ?? '').trim() || UNKNOWN
  }
}

const byKey = new Map<string, Entry>([...carriers, ...provinces, ...countries].map((e) => [`${e.key}`, e]))

/** A key's name in the UI's language; `other`/`unknown` are named by the caller's i18n, anything else as is. */
export function placeName(key: string, lang: string): string {
  const e = byKey.get(key)
  return e ? (lang.startsWith('zh') ? e.zh : e.en) : key
}

/** The region's name on the bundled ECharts map: provinces by their Chinese name, countries by English. */
export function mapRegion(key: string): string | null {
  const e = byKey.get(key)
  if (!e) return null
  return key.startsWith('CN-') ? e.zh : e.map ?? e.en
}

/** The list entry of a province or country key (for coordinates). */
export function place(key: string): Entry | undefined {
  return byKey.get(key)
}

export const cnCities: { province: string; lon: number; lat: number; aliases: string[] }[] = data.cnCities

/** Groups in the server's order: as the list has them, then other values by name, then other, then unknown. */
export function placeOrder(d: Dimension): (a: string, b: string) => number {
  const list = d === 'isp' ? carriers : d === 'province' ? provinces : d === 'country' ? countries : []
  const index = new Map(list.map((e, i) => [e.key, i]))
  index.set(OTHER, Number.MAX_SAFE_INTEGER - 1)
  index.set(UNKNOWN, Number.MAX_SAFE_INTEGER)
  const rank = (k: string) => index.get(k) ?? list.length
  return (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)
}
