import type { Assertion, Plugin, Selector, Task, TaskInput } from '@/api/types'
import { cleanParams } from './fields'

/** What the task form edits: a task input whose optional parts are always there. */
export interface TaskDraft {
  id: string
  name: string
  type: string
  target: string
  interval: string
  timeout: string
  jitter: string
  maxInFlight: number | undefined
  params: Record<string, unknown>
  assertions: Assertion[]
  labels: Record<string, string>
  enabled: boolean
  selectorKind: 'all' | 'labels' | 'agent'
  selectorLabels: Record<string, string>
  selectorAgent: string
  dependsOn: string[]
  /** diagnose.onFailure: the agent traces and looks up the target when an attempt fails */
  diagnose: boolean
  revision?: number
}

export function draftOf(task: Task | null, type = 'http'): TaskDraft {
  const sel: Selector = task?.selector ?? { all: true }
  return {
    id: task?.id ?? '',
    name: task?.name ?? '',
    type: task?.type ?? type,
    target: task?.target ?? '',
    interval: task?.interval ?? '30s',
    timeout: task?.timeout ?? '',
    jitter: task?.jitter ?? '',
    maxInFlight: task?.maxInFlight,
    params: { ...(task?.params ?? {}) },
    assertions: (task?.assertions ?? []).map((a) => ({ ...a })),
    labels: { ...(task?.labels ?? {}) },
    enabled: task?.enabled ?? true,
    selectorKind: 'labels' in sel ? 'labels' : 'agent' in sel ? 'agent' : 'all',
    selectorLabels: 'labels' in sel ? { ...sel.labels } : {},
    selectorAgent: 'agent' in sel ? sel.agent : '',
    dependsOn: [...(task?.dependsOn ?? [])],
    diagnose: task?.diagnose?.onFailure ?? false,
    revision: task?.revision,
  }
}

/** The JSON sent to POST/PUT /tasks: empty optional fields left out so the server's defaults apply. */
export function inputOf(d: TaskDraft, plugin: Plugin | undefined): TaskInput {
  const t: TaskInput = { type: d.type, target: d.target.trim(), interval: d.interval.trim() }
  if (d.id.trim()) t.id = d.id.trim()
  if (d.name.trim()) t.name = d.name.trim()
  if (d.timeout.trim()) t.timeout = d.timeout.trim()
  if (d.jitter.trim()) t.jitter = d.jitter.trim()
  if (d.maxInFlight != null) t.maxInFlight = d.maxInFlight
  const params = cleanParams(d.params, plugin?.parameters ?? [])
  if (Object.keys(params).length) t.params = params
  if (d.assertions.length) {
    t.assertions = d.assertions.map((a) => (a.jsonPointer ? a : { field: a.field, op: a.op, value: a.value }))
  }
  if (Object.keys(d.labels).length) t.labels = d.labels
  t.enabled = d.enabled
  if (d.selectorKind === 'labels') t.selector = { labels: d.selectorLabels }
  else if (d.selectorKind === 'agent') t.selector = { agent: d.selectorAgent }
  else t.selector = { all: true }
  if (d.dependsOn.length) t.dependsOn = d.dependsOn
  if (d.diagnose) t.diagnose = { onFailure: true }
  if (d.revision != null) t.revision = d.revision
  return t
}
