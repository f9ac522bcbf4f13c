import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, RouterLinkStub } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createPinia, setActivePinia } from 'pinia'
import { i18n } from '@/i18n'
import { api } from '@/api'
import { ApiError } from '@/api/http'
import type { SlaRow, StatusPageDefinition, Task } from '@/api/types'
import { useAuth } from '@/stores/auth'
import { budgetTone, burnTone, objectiveDraft, objectiveOf, periodName, quantileName } from '@/lib/sla'
import { pageDraft, pageInputOf, slugOf } from '@/lib/statusPages'
import SlaPage from '@/pages/sla/SlaPage.vue'
import TaskSla from '@/pages/task-detail/TaskSla.vue'
import StatusPagesPage from '@/pages/status-pages/StatusPagesPage.vue'

const global = { plugins: [ElementPlus, i18n], stubs: { RouterLink: RouterLinkStub } }
const settle = async (ms = 250) => {
  await flushPromises()
  await new Promise((r) => setTimeout(r, ms))
  await flushPromises()
}
const task: Task = {
  id: 'web', name: 'Web', type: 'http', target: 'http://x/', interval: '1s', timeout: '1s', jitter: '0s', maxInFlight: 1, params: {}, assertions: [],
  labels: {}, enabled: true, selector: { all: true }, dependsOn: [], revision: 1, createdBy: null, createdAt: '2026-01-01T00:00:00Z', updatedAt: '',
}
const row = (o: Partial<SlaRow> = {}): SlaRow => ({
  taskId: 'web', period: 'month', start: '2026-03-01T00:00:00Z', end: '2026-04-01T00:00:00Z', complete: false, total: 1000, successes: 998,
  failures: 2, availability: 99.8, availabilityObjective: 99.9, availabilityMet: false, allowedFailures: 1, budgetRemaining: -100, burnRate: 2,
  latencyQuantile: 0.95, latencyMs: 120, latencyObjectiveMs: 300, latencyMet: true, excludedMinutes: 30, excludedResults: 60,
  maintenanceNotExcludedDays: 0, ...o,
})
const invalid = (...errors: [string, string][]) =>
  new ApiError(400, { type: 'urn:vantage:problem:invalid-request', title: 'Bad Request', status: 400, detail: 'invalid',
    errors: errors.map(([field, message]) => ({ field, message })) })
function signIn(role: 'viewer' | 'operator' | 'admin') {
  setActivePinia(createPinia())
  useAuth().me = { username: 'u', role } as never
}

afterEach(() => vi.restoreAllMocks())

describe('SLA helpers', () => {
  it('judges the budget and burn rate', () => {
    expect(budgetTone({ budgetRemaining: 80, availabilityMet: true })).toBe('success')
    expect(budgetTone({ budgetRemaining: 20, availabilityMet: true })).toBe('warning')
    expect(budgetTone({ budgetRemaining: -5, availabilityMet: false })).toBe('danger')
    expect(budgetTone({ budgetRemaining: null, availabilityMet: null })).toBe('info') // no objective
    expect(budgetTone({ budgetRemaining: null, availabilityMet: false })).toBe('danger') // a 100 % objective missed
    expect([burnTone(null), burnTone(0.2), burnTone(0.8), burnTone(1.5)]).toEqual(['info', 'success', 'warning', 'danger'])
  })

  it('names periods and quantiles', () => {
    expect(periodName(row(), 'month')).toBe('2026-03')
    expect(periodName(row({ start: '2026-03-02T00:00:00Z' }), 'week')).toBe('2026-03-02')
    expect([quantileName(0.95), quantileName(0.999), quantileName(0.5)]).toEqual(['p95', 'p99.9', 'p50'])
  })

  it('sends the latency bound only when it is on', () => {
    const d = objectiveDraft({ availability: 99.5, latencyQuantile: 0.99, latencyMs: 250 })
    expect(objectiveOf(d)).toEqual({ availability: 99.5, latencyQuantile: 0.99, latencyMs: 250 })
    d.latency = false
    expect(objectiveOf(d)).toEqual({ availability: 99.5 })
    expect(objectiveOf(objectiveDraft(null))).toEqual({ availability: 99.9 })
  })
})

describe('status page form helpers', () => {
  it('round-trips a definition, trimming text and turning empty logo and body into none', () => {
    const def: StatusPageDefinition = {
      id: 'p1', slug: 'acme', title: 'Acme', logo: null, createdAt: '', updatedAt: '',
      groups: [{ name: 'Web', tasks: [{ task: 'web', name: 'Website' }] }],
      announcements: [{ title: 'Upgrade', body: null }],
    }
    const d = pageDraft(def)
    d.title = '  Acme status '
    expect(pageInputOf(d)).toEqual({
      slug: 'acme', title: 'Acme status', logo: null,
      groups: [{ name: 'Web', tasks: [{ task: 'web', name: 'Website', showTarget: false }] }],
      announcements: [{ title: 'Upgrade', body: null, level: 'info' }],
    })
    expect(slugOf('  Acme Corp: Status! ')).toBe('acme-corp-status')
  })
})

describe('SlaPage', () => {
  it('shows each task\'s period with availability against its objective, budget, burn rate, latency and exclusions', async () => {
    signIn('viewer')
    const report = vi.spyOn(api, 'slaReport').mockResolvedValue({ period: 'month', items: [row(), row({ taskId: 'dns', availabilityObjective: null, availabilityMet: null, budgetRemaining: null, burnRate: null, latencyQuantile: null, excludedMinutes: 0 })] })
    vi.spyOn(api, 'tasks').mockResolvedValue({ items: [task], total: 1, limit: 500, offset: 0 } as never)
    const w = mount(SlaPage, { global })
    await settle()
    expect(report).toHaveBeenCalledWith('month', 1)
    const text = w.find('[data-testid="sla-table"]').text()
    expect(text).toContain('Web')
    expect(text).toContain('99.800%')
    expect(text).toContain('99.900%')
    expect(text).toContain('-100.0%')
    expect(text).toContain('2.00×')
    expect(text).toContain('p95')
    expect(text).toContain('30 min, 60 results left out')
    expect(text).toContain('no objective') // dns has none
    await w.find('[data-testid="sla-only"] input').setValue(true)
    await settle(50)
    expect(w.find('[data-testid="sla-table"]').text()).not.toContain('no objective')
  })
})

describe('TaskSla', () => {
  it('lets an operator set an objective and puts a 400 beside its field', async () => {
    signIn('operator')
    vi.spyOn(api, 'slaObjective').mockResolvedValue(null)
    vi.spyOn(api, 'slaReport').mockResolvedValue({ period: 'month', items: [row({ availabilityObjective: null, availabilityMet: null, budgetRemaining: null, burnRate: null })] })
    const put = vi.spyOn(api, 'setSlaObjective').mockRejectedValueOnce(invalid(['latencyMs', 'must be above 0']))
    const w = mount(TaskSla, { global, props: { taskId: 'web' } })
    await settle()
    expect(w.find('[data-testid="sla-objective"]').text()).toBe('no objective')
    await w.find('[data-testid="sla-edit"]').trigger('click')
    await settle(50)
    await w.find('[data-testid="field-latency"] input').setValue(true)
    await settle(50)
    await w.find('[data-testid="sla-form"]').trigger('submit')
    await settle()
    expect(put).toHaveBeenCalledWith('web', { availability: 99.9, latencyQuantile: 0.95, latencyMs: null })
    expect(w.find('[data-testid="field-latency-ms"]').text()).toContain('must be above 0')
    put.mockResolvedValueOnce({ availability: 99.9, latencyQuantile: 0.95, latencyMs: 300 })
    await w.find('[data-testid="sla-form"]').trigger('submit')
    await settle()
    expect(w.find('[data-testid="sla-form"]').exists()).toBe(false)
    expect(w.find('[data-testid="sla-objective"]').text()).toContain('99.9%')
  })

  it('offers no editor to a viewer', async () => {
    signIn('viewer')
    vi.spyOn(api, 'slaObjective').mockResolvedValue({ availability: 99 })
    vi.spyOn(api, 'slaReport').mockResolvedValue({ period: 'month', items: [row()] })
    const w = mount(TaskSla, { global, props: { taskId: 'web' } })
    await settle()
    expect(w.find('[data-testid="sla-card-availability"]').text()).toBe('99.800%')
    expect(w.find('[data-testid="sla-edit"]').exists()).toBe(false)
  })
})

describe('StatusPagesPage', () => {
  it('composes a page from a task and shows the server\'s errors beside the group\'s task', async () => {
    signIn('admin')
    vi.spyOn(api, 'statusPages').mockResolvedValue([])
    vi.spyOn(api, 'tasks').mockResolvedValue({ items: [task], total: 1, limit: 500, offset: 0 } as never)
    const create = vi.spyOn(api, 'createStatusPage').mockRejectedValueOnce(invalid(['groups[0].tasks[0].task', 'no such task']))
    const w = mount(StatusPagesPage, { global, attachTo: document.body })
    await settle()
    await w.find('[data-testid="new-status-page"]').trigger('click')
    await settle(50)
    const form = () => document.querySelector('[data-testid="status-page-form"]')!
    const input = (sel: string) => form().querySelector(`${sel} input, input${sel}, ${sel} textarea`) as HTMLInputElement
    const type = async (sel: string, v: string) => {
      const el = input(sel)
      el.value = v
      el.dispatchEvent(new Event('input'))
      await flushPromises()
    }
    await type('[data-testid="field-title"]', 'Acme Status')
    expect(input('[data-testid="field-slug"]').value).toBe('acme-status')
    ;(form().querySelector('[data-testid="add-task"]') as HTMLElement).click()
    await flushPromises()
    await type('[data-testid="group-name"]', 'Web')
    await type('[data-testid="group-task-name"]', 'Website')
    ;(form().querySelector('[data-testid="group-task-target"] input') as HTMLInputElement).click()
    await flushPromises()
    form().dispatchEvent(new Event('submit'))
    await settle()
    expect(create).toHaveBeenCalledWith({
      slug: 'acme-status', title: 'Acme Status', logo: null,
      groups: [{ name: 'Web', tasks: [{ task: '', name: 'Website', showTarget: true }] }], announcements: [],
    })
    expect(form().querySelector('[data-testid="group-task"]')!.textContent).toContain('no such task')
    w.unmount()
  })
})
