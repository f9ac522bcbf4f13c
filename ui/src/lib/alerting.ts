// Alert rules, incidents and silences as the forms and pages handle them: pure functions, unit-tested.
import type {
  AlertCondition,
  AlertRule,
  AlertRuleInput,
  AlertScope,
  ConditionType,
  Incident,
  PreviewTransition,
  RulePreview,
  Silence,
  SilenceInput,
  Task,
  TaskMatch,
  Weekday,
} from '@/api/types'

/** Every condition field the form edits; each condition type uses some of them (CONDITION_FIELDS). */
export interface ConditionBag {
  count: number | undefined
  minPercent: number | undefined
  window: string
  metric: string
  percentile: number | undefined
  maxMs: number | undefined
  maxPercent: number | undefined
  confidence: number | undefined
  minDays: number | undefined
}

export const CONDITION_TYPES: ConditionType[] = [
  'consecutiveFailures', 'availability', 'latency', 'packetLoss', 'certificateExpiry', 'assertionFailure',
]

export const CONDITION_FIELDS: Record<ConditionType, (keyof ConditionBag)[]> = {
  consecutiveFailures: ['count'],
  availability: ['minPercent', 'window'],
  latency: ['metric', 'percentile', 'maxMs', 'window'],
  packetLoss: ['maxPercent', 'window', 'confidence'],
  certificateExpiry: ['minDays'],
  assertionFailure: [],
}

/** Metrics offered for latency rules (any `phase.<name>` or `measurement.<name>` may be typed). */
export const METRICS = ['duration', 'phase.dns', 'phase.connect', 'phase.tls', 'phase.ttfb', 'measurement.rttAvgMs']

/** Starting values, so that switching the condition type shows a sensible rule. */
const DEFAULT_BAG: ConditionBag = {
  count: 3, minPercent: 99, window: '5m', metric: 'duration', percentile: 95, maxMs: 500, maxPercent: 5, confidence: 0.99, minDays: 14,
}

/** What the rule form edits: a rule whose optional parts are always there. */
export interface RuleDraft {
  name: string
  tasksKind: 'task' | 'labels'
  taskId: string
  taskLabels: Record<string, string>
  type: ConditionType
  cond: ConditionBag
  merged: boolean
  minAgents: number | undefined
  minPercent: number | undefined
  for: string
  resolveAfter: string
  repeatEvery: string
  channels: string[]
  enabled: boolean
  revision?: number
}

export function ruleDraftOf(rule: AlertRule | null, taskId = ''): RuleDraft {
  const c = (rule?.condition ?? { type: 'consecutiveFailures', count: 3 }) as AlertCondition & Partial<ConditionBag>
  const cond = { ...DEFAULT_BAG }
  for (const f of CONDITION_FIELDS[c.type]) (cond as Record<string, unknown>)[f] = c[f] ?? cond[f]
  const scope = (rule?.scope ?? {}) as { merged?: true; minAgents?: number; minPercent?: number }
  const tasks = rule?.tasks ?? { task: taskId }
  return {
    name: rule?.name ?? '',
    tasksKind: 'labels' in tasks ? 'labels' : 'task',
    taskId: 'task' in tasks ? tasks.task : '',
    taskLabels: 'labels' in tasks ? { ...tasks.labels } : {},
    type: c.type,
    cond,
    merged: scope.merged === true,
    minAgents: scope.minAgents ?? 1,
    minPercent: scope.minPercent ?? 0,
    for: rule?.for ?? '1m',
    resolveAfter: rule?.resolveAfter ?? '5m',
    repeatEvery: rule?.repeatEvery ?? '',
    channels: [...(rule?.channels ?? [])],
    enabled: rule?.enabled ?? true,
    revision: rule?.revision,
  }
}

/** A condition of the draft's type; fields left empty are left out, so the server names them as required. */
export function conditionOf(d: RuleDraft): AlertCondition {
  const out: Record<string, unknown> = { type: d.type }
  for (const f of CONDITION_FIELDS[d.type]) {
    const raw = d.cond[f]
    const v = typeof raw === 'string' ? raw.trim() : raw
    if (v !== undefined && v !== null && v !== '') out[f] = v
  }
  return out as AlertCondition
}

export function tasksOf(kind: 'task' | 'labels', taskId: string, labels: Record<string, string>): TaskMatch {
  return kind === 'labels' ? { labels } : { task: taskId }
}

/**
 * The JSON sent to POST/PUT /alert-rules. For a preview an unnamed rule is called "preview", so that the preview
 * does not wait for a name.
 */
export function ruleInputOf(d: RuleDraft, preview = false): AlertRuleInput {
  const scope: AlertScope = d.merged
    ? { merged: true }
    : { ...(d.minAgents != null ? { minAgents: d.minAgents } : {}), ...(d.minPercent != null ? { minPercent: d.minPercent } : {}) }
  const input: AlertRuleInput = {
    name: d.name.trim() || (preview ? 'preview' : ''),
    tasks: tasksOf(d.tasksKind, d.taskId, d.taskLabels),
    condition: conditionOf(d),
    scope,
    for: d.for.trim(),
    resolveAfter: d.resolveAfter.trim(),
    repeatEvery: d.repeatEvery.trim() || null,
    channels: d.channels,
    enabled: d.enabled,
  }
  if (!preview && d.revision != null) input.revision = d.revision
  return input
}

/** Does `rule` watch `task` (by id, or by all of its labels)? */
export function watches(tasks: TaskMatch, task: Pick<Task, 'id' | 'labels'>): boolean {
  if ('task' in tasks) return tasks.task === task.id
  return Object.entries(tasks.labels).every(([k, v]) => task.labels?.[k] === v)
}

/** Open incidents first, then the newest first. */
export function sortIncidents(list: Incident[]): Incident[] {
  return [...list].sort((a, b) => {
    if (a.state !== b.state) return a.state === 'open' ? -1 : 1
    return b.startedAt.localeCompare(a.startedAt)
  })
}

/** How long an incident lasted (or has lasted, until `now`), as "3m 20s". */
export function incidentDuration(i: Pick<Incident, 'startedAt' | 'resolvedAt'>, now = Date.now()): string {
  const end = i.resolvedAt ? Date.parse(i.resolvedAt) : now
  return span(Math.max(0, end - Date.parse(i.startedAt)))
}

/** Milliseconds as "2d 3h", "3h 4m", "4m 5s", "5s". */
export function span(ms: number): string {
  const s = Math.floor(ms / 1000)
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (d) return `${d}d ${h}h`
  if (h) return `${h}h ${m}m`
  if (m) return `${m}m ${s % 60}s`
  return `${s}s`
}

/** A stretch of time a previewed rule was firing, in percent of the preview's window; `open` if still firing at its end. */
export interface FiringSpan {
  left: number
  width: number
  from: string
  to: string
  open: boolean
}

/** Where each firing began and ended (resolved), placed on the preview window [from, to]. */
export function firingSpans(transitions: PreviewTransition[], from: string, to: string): FiringSpan[] {
  const start = Date.parse(from)
  const total = Math.max(1, Date.parse(to) - start)
  const pct = (iso: string) => Math.min(100, Math.max(0, ((Date.parse(iso) - start) / total) * 100))
  const spans: FiringSpan[] = []
  let firing: string | null = null
  for (const t of [...transitions].sort((a, b) => a.at.localeCompare(b.at))) {
    if (t.kind === 'firing' && firing == null) firing = t.at
    else if (t.kind === 'resolved' && firing != null) {
      spans.push({ left: pct(firing), width: Math.max(0.3, pct(t.at) - pct(firing)), from: firing, to: t.at, open: false })
      firing = null
    }
  }
  if (firing != null) spans.push({ left: pct(firing), width: Math.max(0.3, 100 - pct(firing)), from: firing, to, open: true })
  return spans
}

/** Totals of a preview: incidents (firings), results judged, tasks that would have fired. */
export function previewTotals(p: RulePreview): { incidents: number; results: number; tasks: number; firingTasks: number } {
  let incidents = 0
  let results = 0
  let firingTasks = 0
  for (const t of p.tasks) {
    const n = t.transitions.filter((x) => x.kind === 'firing').length
    incidents += n
    results += t.results
    if (n) firingTasks++
  }
  return { incidents, results, tasks: p.tasks.length, firingTasks }
}

export const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']

/** What the silence form edits. */
export interface SilenceDraft {
  tasksKind: 'task' | 'labels'
  taskId: string
  taskLabels: Record<string, string>
  rule: string
  kind: 'once' | 'weekly'
  /** [from, until] as picked: Dates, or ISO strings. */
  once: [Date | string, Date | string] | null
  days: Weekday[]
  from: string
  to: string
  timeZone: string
  comment: string
}

/** The browser's time zone, the default for a weekly window. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

/** Every IANA time zone the browser knows, for the picker. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] }
  const all = intl.supportedValuesOf?.('timeZone') ?? []
  return all.includes('UTC') ? all : ['UTC', ...all]
}

export function silenceDraft(taskId = ''): SilenceDraft {
  const now = new Date()
  return {
    tasksKind: 'task', taskId, taskLabels: {}, rule: '', kind: 'once',
    once: [now, new Date(now.getTime() + 2 * 3600_000)],
    days: ['sat', 'sun'], from: '02:00', to: '04:00', timeZone: localTimeZone(), comment: '',
  }
}

export function silenceInputOf(d: SilenceDraft): SilenceInput {
  const iso = (v: Date | string) => (v instanceof Date ? v.toISOString() : v)
  const base = {
    tasks: tasksOf(d.tasksKind, d.taskId, d.taskLabels),
    ...(d.rule ? { rule: d.rule } : {}),
    ...(d.comment.trim() ? { comment: d.comment.trim() } : {}),
  }
  if (d.kind === 'once') {
    return { ...base, once: { from: d.once ? iso(d.once[0]) : '', until: d.once ? iso(d.once[1]) : '' } }
  }
  return { ...base, weekly: { days: WEEKDAYS.filter((w) => d.days.includes(w)), from: d.from, to: d.to, timeZone: d.timeZone } }
}

/** Whether a silence holds at `now`: once-windows exactly; weekly ones are not judged here (their time zone may differ). */
export function silenceState(s: Silence, now = Date.now()): 'active' | 'upcoming' | 'expired' | 'weekly' {
  if (!s.once) return 'weekly'
  if (now < Date.parse(s.once.from)) return 'upcoming'
  return now < Date.parse(s.once.until) ? 'active' : 'expired'
}

/** vue-i18n's `t`, as the describing functions need it. */
export type Translate = (key: string, named?: Record<string, unknown>) => string

/** A condition in words: "3 failures in a row", "p95 of phase.connect above 200 ms over 5m". */
export function describeCondition(c: AlertCondition, t: Translate): string {
  return t(`rules.describe.${c.type}`, c as unknown as Record<string, unknown>)
}

export function describeScope(s: AlertScope, t: Translate): string {
  if ('merged' in s && s.merged) return t('rules.scopeMerged')
  const { minAgents = 1, minPercent = 0 } = s as { minAgents?: number; minPercent?: number }
  return minPercent > 0 ? t('rules.scopeAgentsPercent', { n: minAgents, p: minPercent }) : t('rules.scopeAgents', { n: minAgents })
}

/** The tasks a rule or silence covers, by name where the task is known. */
export function describeTasks(m: TaskMatch, tasks: Pick<Task, 'id' | 'name'>[], t: Translate): string {
  if ('labels' in m) return t('rules.labelsOf', { labels: Object.entries(m.labels).map(([k, v]) => `${k}=${v}`).join(', ') })
  const task = tasks.find((x) => x.id === m.task)
  return task ? task.name || task.id : t('rules.missingTask', { id: m.task })
}

const BUCKETS: [string, number][] = [['5s', 5e3], ['10s', 1e4], ['30s', 3e4], ['1m', 6e4], ['5m', 3e5], ['15m', 9e5], ['1h', 36e5], ['6h', 216e5]]

/**
 * The window a chart shows around an incident (from a little before it started, but not before `notBefore` (the
 * task's creation), to a little after it ended, or now) and the smallest bucket that keeps it within about 150 points.
 */
export function incidentWindow(
  i: Pick<Incident, 'startedAt' | 'resolvedAt'>,
  now = Date.now(),
  notBefore?: string,
): { from: string; to: string; bucket: string } {
  const start = Date.parse(i.startedAt)
  const end = i.resolvedAt ? Date.parse(i.resolvedAt) : now
  const pad = Math.max(120_000, (end - start) / 3)
  const from = Math.max(start - pad, notBefore ? Math.min(Date.parse(notBefore), start) : -Infinity)
  const to = Math.min(now, end + pad)
  const bucket = BUCKETS.find(([, ms]) => (to - from) / ms <= 150) ?? BUCKETS[BUCKETS.length - 1]
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket: bucket[0] }
}

/** A server summary ("2 of 3 agents bad; <agent id>: ...") with agent ids replaced by agent names. */
export function withAgentNames(text: string, agents: { id: string; name: string }[]): string {
  return agents.reduce((s, a) => (a.name ? s.replaceAll(a.id, a.name) : s), text)
}
