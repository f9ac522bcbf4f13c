import { i18n } from '@/i18n'

/** The UI's language, for dates and times (not the browser's: an English browser may show the Chinese UI). */
export function uiLocale(): string {
  return i18n.global.locale.value
}

/** Milliseconds as people read them: 0.42 ms, 12.3 ms, 1.24 s. */
export function ms(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return '–'
  if (v < 1) return `${v.toFixed(2)} ms`
  if (v < 100) return `${v.toFixed(1)} ms`
  if (v < 1000) return `${Math.round(v)} ms`
  return `${(v / 1000).toFixed(2)} s`
}

export function percent(v: number | null | undefined, digits = 1): string {
  if (v == null || !Number.isFinite(v)) return '–'
  return `${v.toFixed(digits)}%`
}

export function bytes(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return '–'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

export function time(iso: string | null | undefined): string {
  if (!iso) return '–'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(uiLocale())
}

/** The time of day, 24-hour (no AM/PM to translate). */
export function clock(iso: string | number): string {
  return new Date(iso).toLocaleTimeString(uiLocale(), { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
}

export function labels(l: Record<string, string> | null | undefined): string {
  return Object.entries(l ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')
}

/** Parses "a=b, c=d" (commas or new lines) into labels; blank parts are skipped. */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of text.split(/[,\n]/)) {
    const i = part.indexOf('=')
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim()
  }
  return out
}

/** Latency color scale used by the map and tables: green fast, red slow, grey no answer. */
export function latencyColor(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return '#909399'
  if (v < 20) return '#2e9d52'
  if (v < 60) return '#7cb342'
  if (v < 120) return '#e6a23c'
  if (v < 250) return '#f56c6c'
  return '#a61d24'
}
