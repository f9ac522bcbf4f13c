// SLA report helpers (docs/sla.md): the objective form, how a row's figures are judged and labelled.
import type { SlaObjective, SlaPeriod, SlaRow } from '@/api/types'

/** The objective form: the latency bound is optional, both its fields or neither. */
export interface ObjectiveDraft {
  availability: number | undefined
  latency: boolean
  latencyQuantile: number
  latencyMs: number | undefined
}

export function objectiveDraft(o?: SlaObjective | null): ObjectiveDraft {
  return {
    availability: o?.availability ?? 99.9,
    latency: o?.latencyQuantile != null,
    latencyQuantile: o?.latencyQuantile ?? 0.95,
    latencyMs: o?.latencyMs ?? undefined,
  }
}

/** What PUT .../sla/objective takes; a missing availability goes as null so the server names the field. */
export function objectiveOf(d: ObjectiveDraft): SlaObjective {
  const o = { availability: d.availability ?? null } as unknown as SlaObjective
  if (d.latency) {
    o.latencyQuantile = d.latencyQuantile
    o.latencyMs = d.latencyMs ?? null
  }
  return o
}

export type Tone = 'success' | 'warning' | 'danger' | 'info'

/** Budget left: green with half or more, amber while some is left, red once spent; grey without an objective. */
export function budgetTone(r: Pick<SlaRow, 'budgetRemaining' | 'availabilityMet'>): Tone {
  if (r.budgetRemaining == null) return r.availabilityMet == null ? 'info' : r.availabilityMet ? 'success' : 'danger'
  if (r.budgetRemaining <= 0) return 'danger'
  return r.budgetRemaining < 50 ? 'warning' : 'success'
}

/** A burn rate above 1 spends the budget before the period ends. */
export function burnTone(rate: number | null | undefined): Tone {
  if (rate == null) return 'info'
  if (rate > 1) return 'danger'
  return rate > 0.5 ? 'warning' : 'success'
}

export function metTone(met: boolean | null | undefined): Tone {
  return met == null ? 'info' : met ? 'success' : 'danger'
}

/** The period a row covers, in UTC as the server counts: 2026-03-02, week of 2026-03-02, 2026-03. */
export function periodName(r: Pick<SlaRow, 'start'>, period: SlaPeriod): string {
  const day = r.start.slice(0, 10)
  return period === 'month' ? day.slice(0, 7) : day
}

/** "p95" for 0.95, "p99.9" for 0.999. */
export function quantileName(q: number | null | undefined): string {
  return q == null ? '' : `p${Number((q * 100).toFixed(1))}`
}

export function csvFileName(period: SlaPeriod, periods: number, now = new Date()): string {
  return `sla-${period}-${periods}-${now.toISOString().slice(0, 10)}.csv`
}

/** Offers text as a file download (the CSV needs the session's token, so it cannot be a plain link). */
export function download(text: string, name: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
