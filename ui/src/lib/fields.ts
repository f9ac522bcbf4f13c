// Helpers for forms fed by the API's problem+json field errors and by plugin parameter descriptions.
import type { ParameterSpec } from '@/api/types'

/** Messages for `field` and anything nested in it (`params` gets `params.count`; `assertions[0]` its `.value`). */
export function errorFor(errors: Record<string, string>, field: string): string {
  return Object.entries(errors)
    .filter(([k]) => k === field || k.startsWith(field + '.') || k.startsWith(field + '['))
    .map(([k, m]) => (k === field ? m : `${k.slice(field.length).replace(/^\./, '')}: ${m}`))
    .join('; ')
}

/** Errors no form item shows, so the form can list them at the top instead of losing them. */
export function unclaimed(errors: Record<string, string>, shown: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, m] of Object.entries(errors)) {
    if (!shown.some((f) => k === f || k.startsWith(f + '.') || k.startsWith(f + '['))) out[k] = m
  }
  return out
}

/** Drops parameters left empty, so the plugin's defaults apply; numbers typed as text become numbers. */
export function cleanParams(params: Record<string, unknown>, specs: ParameterSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const byName = new Map(specs.map((s) => [s.name, s]))
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v) && v.length === 0) continue
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) continue
    const spec = byName.get(k)
    if (spec && (spec.type === 'integer' || spec.type === 'number') && typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) {
      out[k] = Number(v)
    } else {
      out[k] = v
    }
  }
  return out
}

/** A default as the form shows it in a placeholder. */
export function describeDefault(p: ParameterSpec): string {
  if (p.default == null) return ''
  if (Array.isArray(p.default)) return p.default.join(', ')
  if (typeof p.default === 'object') return JSON.stringify(p.default)
  return String(p.default)
}
