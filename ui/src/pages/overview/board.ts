// The data behind the overview and the wall: every task's latest results, state, last-24-hours buckets and uptime
// over 24 hours and 30 days, kept current by /ws/live and a periodic refresh.
import { computed, onBeforeUnmount, onMounted, reactive, ref } from 'vue'
import { api, ApiError, type Agent, type Bucket, type Incident, type StoredResult, type Task } from '@/api'
import { useLive } from '@/api/live'
import { chartWindow } from '@/lib/ranges'
import { taskState, uptime, type TaskState } from '@/lib/status'

/** Results kept per task for its heartbeat bars and state. */
export const RECENT = 40
/** Tasks whose details (results, buckets) are fetched; the API has no summary of many tasks in one request. */
export const DETAIL_LIMIT = 200
const DAY = 24 * 3600_000
const MONTH = 30 * DAY
/** Requests in flight at once while loading the details. */
const PARALLEL = 4
/**
 * 30-day uptime: daily buckets of all agents merged, which the server answers from its 1-day rollups (a few rows a
 * task, however busy); still kept this long, as a month hardly moves between two refreshes.
 */
const MONTH_TTL = 5 * 60_000
const monthCache = new Map<string, { at: number; value: number | null | 'tooMany' }>()

/** Uptime: a percent, null without results, 'tooMany' when a window the server reads result by result (buckets under a
 * minute, only for a young task) holds more results than it reads. */
export type Uptime = number | null | 'tooMany'

export interface TaskDay {
  buckets: Bucket[]
  range: [string, string]
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items]
  await Promise.all(Array.from({ length: Math.min(n, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item)
  }))
}

const tooMany = (e: unknown) => e instanceof ApiError && e.status === 400

export function useBoard(refreshMs = 60_000) {
  const tasks = ref<Task[]>([])
  const agents = ref<Agent[]>([])
  const incidents = ref<Incident[] | null>(null)
  const recent = reactive<Record<string, StoredResult[]>>({})
  const day = reactive<Record<string, TaskDay>>({})
  const up24 = reactive<Record<string, Uptime>>({})
  const up30 = reactive<Record<string, Uptime>>({})
  const loaded = ref(false)
  const refreshedAt = ref<number | null>(null)

  const states = computed<Record<string, TaskState>>(() =>
    Object.fromEntries(tasks.value.map((t) => [t.id, recent[t.id] || t.enabled === false ? taskState(t, recent[t.id] ?? []) : 'pending'])),
  )
  const counts = computed(() => {
    const c: Record<TaskState, number> = { up: 0, degraded: 0, down: 0, pending: 0, paused: 0 }
    for (const s of Object.values(states.value)) c[s]++
    return c
  })
  const agentName = (id: string) => agents.value.find((a) => a.id === id)?.name ?? id.slice(0, 8)
  const openIncidents = (taskId: string) => (incidents.value ?? []).filter((i) => i.taskId === taskId)

  async function loadDay(task: Task, now: number) {
    const w = chartWindow(DAY, now, task, 48)
    try {
      const agg = await api.aggregates(task.id, { bucket: w.bucket, from: w.from, to: w.to })
      day[task.id] = { buckets: agg.items, range: [w.from, w.to] }
      up24[task.id] = uptime(agg.items)
    } catch (e) {
      if (!tooMany(e)) throw e
      // too many results in a day for one request: the last hour still draws the sparkline
      up24[task.id] = 'tooMany'
      const h = chartWindow(3600_000, now, task, 60)
      const agg = await api.aggregates(task.id, { bucket: h.bucket, from: h.from, to: h.to }).catch(() => null)
      if (agg) day[task.id] = { buckets: agg.items, range: [h.from, h.to] }
    }
  }

  async function loadMonth(task: Task, now: number) {
    const cached = monthCache.get(task.id)
    if (cached && now - cached.at < MONTH_TTL) {
      up30[task.id] = cached.value
      return
    }
    let value: Uptime
    if (Date.parse(task.createdAt) > now - DAY && typeof up24[task.id] === 'number') {
      value = up24[task.id] // younger than a day: its month is its day
    } else {
      const w = chartWindow(MONTH, now, task, 31)
      try {
        value = uptime((await api.aggregates(task.id, { bucket: w.bucket, from: w.from, to: w.to, by: 'all' })).items)
      } catch (e) {
        if (!tooMany(e)) return
        value = 'tooMany'
      }
    }
    monthCache.set(task.id, { at: now, value })
    up30[task.id] = value
  }

  async function loadIncidents() {
    incidents.value = await api.incidents('open').catch(() => null)
  }

  let stopped = false
  async function refresh() {
    const now = Date.now()
    const [page, a] = await Promise.all([api.tasks(), api.agents(), loadIncidents()])
    tasks.value = page.items
    agents.value = a
    loaded.value = true
    const detailed = page.items.slice(0, DETAIL_LIMIT)
    await pool(detailed, PARALLEL, async (task) => {
      if (stopped) return
      const [r] = await Promise.all([
        api.results(task.id, { limit: RECENT }).catch(() => null),
        loadDay(task, now).catch(() => undefined),
      ])
      if (r) recent[task.id] = r.items
      if (!stopped) await loadMonth(task, now) // after the day: a task younger than a day reuses its 24 h figure
    })
    refreshedAt.value = Date.now()
  }

  useLive((e) => {
    if (e.type === 'result') {
      const list = recent[e.result.taskId]
      if (list && !list.some((r) => r.id === e.result.id)) {
        recent[e.result.taskId] = [{ ...e.result, agentId: e.agentId }, ...list].slice(0, RECENT)
      }
    } else if (e.type === 'incident') {
      loadIncidents()
    } else if (e.type === 'agent') {
      const a = agents.value.find((x) => x.id === e.agentId)
      if (a) a.online = e.online
      else api.agents().then((list) => (agents.value = list))
    }
  })

  let timer: ReturnType<typeof setInterval> | null = null
  onMounted(() => {
    refresh()
    timer = setInterval(() => refresh().catch(() => undefined), refreshMs)
  })
  onBeforeUnmount(() => {
    stopped = true
    if (timer) clearInterval(timer)
  })

  return { tasks, agents, incidents, recent, day, up24, up30, states, counts, loaded, refreshedAt, agentName, openIncidents, refresh }
}
