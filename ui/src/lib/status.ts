// What the overview says about a task: its state from its latest results, and its uptime from aggregate buckets.
import type { Bucket, Status, StoredResult, Task } from '@/api/types'
import { durationMs } from './ranges'

export type TaskState = 'up' | 'down' | 'degraded' | 'pending' | 'paused'
export const TASK_STATES: TaskState[] = ['up', 'degraded', 'down', 'pending', 'paused']

/**
 * A task's state now: paused when disabled, pending before its first result, else from each agent's latest result
 * (results older than three intervals before the newest are from agents that no longer run it): up when all
 * succeeded, down when none did, degraded in between.
 */
export function taskState(task: Pick<Task, 'enabled' | 'interval'>, recent: Pick<StoredResult, 'agentId' | 'status' | 'startedAt'>[]): TaskState {
  if (task.enabled === false) return 'paused'
  if (recent.length === 0) return 'pending'
  const newest = Math.max(...recent.map((r) => Date.parse(r.startedAt)))
  const horizon = newest - 3 * (durationMs(task.interval) ?? 60_000)
  const latest = new Map<string, Status>()
  for (const r of [...recent].sort((a, b) => b.startedAt.localeCompare(a.startedAt))) {
    if (Date.parse(r.startedAt) >= horizon && !latest.has(r.agentId)) latest.set(r.agentId, r.status)
  }
  const ok = [...latest.values()].filter((s) => s === 'SUCCESS').length
  return ok === latest.size ? 'up' : ok === 0 ? 'down' : 'degraded'
}

/** Percent of successful results over the buckets (all agents); null without results. */
export function uptime(buckets: Pick<Bucket, 'count' | 'availability'>[]): number | null {
  const count = buckets.reduce((s, b) => s + b.count, 0)
  return count ? buckets.reduce((s, b) => s + (b.availability / 100) * b.count, 0) / count * 100 : null
}

/** The colour the UI gives a result's status. */
export function statusColor(s: Status | string | null | undefined): string {
  switch (s) {
    case 'SUCCESS':
      return '#2e9d52'
    case 'TIMEOUT':
      return '#e6a23c'
    case 'FAILURE':
      return '#f56c6c'
    case 'ERROR':
      return '#a61d24'
    default:
      return '#dcdfe6'
  }
}

/** The colour of a task state. */
export function stateColor(s: TaskState): string {
  return { up: '#2e9d52', degraded: '#e6a23c', down: '#f56c6c', pending: '#909399', paused: '#b1b3b8' }[s]
}

/** Uptime colours: green from 99.9 %, amber from 99 %, red below. */
export function uptimeColor(v: number | null | undefined): string {
  if (v == null) return '#909399'
  return v >= 99.9 ? '#2e9d52' : v >= 99 ? '#e6a23c' : '#f56c6c'
}
