import type { ProbeResult } from '@/api/types'

/** One hop of a traceroute's `hops` attribute (docs/plugins.md, Traceroute hops). */
export interface Hop {
  ttl: number
  address: string
  name?: string
  alsoFrom?: string[]
  destination?: boolean
  sent: number
  received: number
  lossPercent: number
  rttMinMs?: number
  rttAvgMs?: number
  rttMaxMs?: number
  rttMdevMs?: number
  jitterMs?: number
  error?: string
}

type WithAttributes = Partial<Pick<ProbeResult, 'attributes'>>

/** The hop table of a traceroute result; empty when there is none or it cannot be read. */
export function hopsOf(r: WithAttributes | null | undefined): Hop[] {
  const text = r?.attributes?.hops
  if (!text) return []
  try {
    const v = JSON.parse(text)
    return Array.isArray(v) ? v.filter((h) => h && typeof h.ttl === 'number') : []
  } catch {
    return []
  }
}

/** A DNS result's answers (the `answers` attribute), in the order given; null when the lookup got no answer. */
export function answersOf(r: WithAttributes | null | undefined): string[] | null {
  const text = r?.attributes?.answers
  if (text == null) return null
  try {
    const v = JSON.parse(text)
    return Array.isArray(v) ? v.map(String) : null
  } catch {
    return null
  }
}

/** The agents that got one answer set: the ITDOG "which carriers get which IP" row. */
export interface AnswerGroup<A> {
  /** Sorted, so that the same set in another order is one group; empty for NODATA; null: no answer (error) */
  answers: string[] | null
  key: string
  agents: A[]
}

/** Groups agents by the answer set their DNS result carries, the largest group first. */
export function groupByAnswers<A>(rows: A[], resultOf: (a: A) => WithAttributes | null | undefined): AnswerGroup<A>[] {
  const groups = new Map<string, AnswerGroup<A>>()
  for (const row of rows) {
    const r = resultOf(row)
    if (!r) continue
    const a = answersOf(r)
    const answers = a == null ? null : [...a].sort()
    const key = answers == null ? '\u0000' : answers.join(',')
    const g = groups.get(key) ?? { answers, key, agents: [] }
    g.agents.push(row)
    groups.set(key, g)
  }
  return [...groups.values()].sort((x, y) => y.agents.length - x.agents.length || x.key.localeCompare(y.key))
}

/** Width in percent of a hop's bar: its average round trip against the slowest hop's worst. */
export function barWidth(hop: Hop, hops: Hop[]): number {
  const worst = Math.max(0, ...hops.map((h) => h.rttMaxMs ?? 0))
  if (!worst || hop.rttAvgMs == null) return 0
  return Math.max(2, Math.round((hop.rttAvgMs / worst) * 100))
}
