import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, RouterLinkStub } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createPinia, setActivePinia } from 'pinia'
import { i18n } from '@/i18n'
import { api } from '@/api'
import { ApiError } from '@/api/http'
import type { AlertRule, Channel, IncidentDetail, StoredResult, Task } from '@/api/types'
import { useAuth } from '@/stores/auth'
import RuleForm from '@/pages/rules/RuleForm.vue'
import ChannelForm from '@/pages/channels/ChannelForm.vue'
import IncidentPage from '@/pages/incidents/IncidentPage.vue'

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
const channel: Channel = {
  id: 'c1', name: 'ops robot', type: 'dingtalk', language: 'zh', enabled: true, revision: 2, createdBy: null, createdAt: '', updatedAt: '',
  settings: { url: '******', secret: '******', atMobiles: ['13800000000'] }, templates: {},
}
const invalid = (...errors: [string, string][]) =>
  new ApiError(400, { type: 'urn:vantage:problem:invalid-request', title: 'Bad Request', status: 400, detail: 'invalid',
    errors: errors.map(([field, message]) => ({ field, message })) })

afterEach(() => vi.restoreAllMocks())

describe('RuleForm', () => {
  it('puts each 400 error beside its field', async () => {
    vi.spyOn(api, 'previewAlertRule').mockResolvedValue({ from: '', to: '', truncated: false, tasks: [] })
    const create = vi.spyOn(api, 'createAlertRule').mockRejectedValue(invalid(
      ['condition.count', 'must be at least 1'], ['scope.minAgents', 'must be from 1 to 100000'], ['for', "'soon' is not a duration"],
      ['channels[0]', 'no such channel'], ['name', 'is required']))
    const w = mount(RuleForm, { global, props: { rule: null, tasks: [task], agents: [], channels: [channel], previewDelay: 10 } })
    await w.find('form').trigger('submit')
    await settle()
    expect(create).toHaveBeenCalledOnce()
    expect(create.mock.calls[0][0]).toMatchObject({ tasks: { task: 'web' }, condition: { type: 'consecutiveFailures', count: 3 } })
    expect(w.find('[data-testid="cond-count"]').text()).toContain('must be at least 1')
    expect(w.find('[data-testid="field-minAgents"]').text()).toContain('must be from 1 to 100000')
    expect(w.find('[data-testid="field-for"]').text()).toContain("'soon' is not a duration")
    expect(w.find('[data-testid="field-channels"]').text()).toContain('no such channel')
    expect(w.find('[data-testid="field-name"]').text()).toContain('is required')
  })

  it('previews the rule as it changes, once per pause in typing, and shows what it would have done', async () => {
    const preview = vi.spyOn(api, 'previewAlertRule').mockResolvedValue({
      from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', truncated: false,
      tasks: [{ taskId: 'web', results: 864, transitions: [
        { kind: 'firing', at: '2026-01-01T06:00:00Z', summary: '2 of 2 agents bad', badAgents: ['a1', 'a2'] },
        { kind: 'resolved', at: '2026-01-01T07:00:00Z', summary: '0 of 2 agents bad', badAgents: [] },
      ] }],
    })
    const w = mount(RuleForm, { global, props: { rule: null, tasks: [task], agents: [], channels: [], previewDelay: 50 } })
    await settle(120)
    expect(preview).toHaveBeenCalledTimes(1)
    expect(preview.mock.calls[0][0]).toMatchObject({ name: 'preview', tasks: { task: 'web' } })
    const name = w.find('[data-testid="field-name"] input')
    await name.setValue('a')
    await name.setValue('ab')
    await name.setValue('abc')
    await settle(120)
    expect(preview).toHaveBeenCalledTimes(2)
    expect(preview.mock.calls[1][0]).toMatchObject({ name: 'abc' })
    expect(w.find('[data-testid="preview-incidents"]').attributes('data-count')).toBe('1')
    expect(w.find('[data-testid="rule-preview"]').text()).toContain('864 results judged')
    expect(w.findAll('[data-testid="preview-transition"]')).toHaveLength(2)
    expect(w.find('.span').attributes('style')).toContain('left: 25%')
  })

  it('shows what a preview still needs instead of a result', async () => {
    vi.spyOn(api, 'previewAlertRule').mockRejectedValue(invalid(['condition.window', 'is required']))
    const w = mount(RuleForm, { global, props: { rule: null, tasks: [task], agents: [], channels: [], previewDelay: 10 } })
    await settle(100)
    expect(w.find('[data-testid="preview-problems"]').text()).toContain('condition.window: is required')
  })
})

describe('ChannelForm', () => {
  it('shows the kind\'s settings, keeps masked secrets, and names bad settings beside them', async () => {
    const update = vi.spyOn(api, 'updateChannel').mockRejectedValueOnce(invalid(['settings.atUserIds', 'must be a list']))
    const w = mount(ChannelForm, { global, props: { channel } })
    await settle(50)
    for (const s of ['url', 'secret', 'atMobiles', 'atUserIds']) expect(w.find(`[data-testid="setting-${s}"]`).exists()).toBe(true)
    expect(w.find('[data-testid="setting-botToken"]').exists()).toBe(false)
    expect(w.findAll('[data-testid="secret-kept"]')).toHaveLength(2)
    expect(w.find('[data-testid="setting-url"] input').attributes('type')).toBe('password')
    await w.find('form').trigger('submit')
    await settle()
    expect(update.mock.calls[0]).toEqual(['c1', {
      name: 'ops robot', type: 'dingtalk', language: 'zh', enabled: true, revision: 2,
      settings: { url: '******', secret: '******', atMobiles: ['13800000000'] },
    }])
    expect(w.find('[data-testid="setting-atUserIds"]').text()).toContain('must be a list')
  })
})

describe('IncidentPage', () => {
  const rule: AlertRule = {
    id: 'r1', name: 'web down', tasks: { task: 'web' }, condition: { type: 'consecutiveFailures', count: 2 }, scope: { minAgents: 2, minPercent: 0 },
    for: '2s', resolveAfter: '3s', repeatEvery: null, channels: [], enabled: true, revision: 1, createdBy: null, createdAt: '', updatedAt: '',
  }
  const detail = (acknowledged: boolean): IncidentDetail => ({
    id: 'i1', ruleId: 'r1', taskId: 'web', state: 'open', startedAt: '2026-01-01T10:00:00Z', resolvedAt: null,
    acknowledgedBy: acknowledged ? 'alice' : null, acknowledgedAt: acknowledged ? '2026-01-01T10:01:00Z' : null, summary: '2 of 2 agents bad; a1: 2 failures',
    timeline: [
      { at: '2026-01-01T10:00:00Z', kind: 'firing', actor: null, summary: '2 of 2 agents bad; a1: 2 failures', badAgents: ['a1', 'a2'],
        evidence: ['res-1', 'res-2'], silencedBy: 'sil-123456789' },
      ...(acknowledged ? [{ at: '2026-01-01T10:01:00Z', kind: 'acknowledged' as const, actor: 'alice', summary: 'acknowledged by alice', badAgents: [], evidence: [], silencedBy: null }] : []),
    ],
  })
  const result = (id: string, agentId = id === 'res-1' ? 'a1' : 'a2'): StoredResult => ({
    agentId, id, taskId: 'web', type: 'http', target: 'http://x/', status: 'FAILURE', startedAt: '2026-01-01T09:59:59Z', durationMs: 3, phases: {}, measurements: {},
    samples: {}, attributes: {}, assertions: [], labels: {}, error: { kind: 'PROTOCOL', message: 'status 503' },
  })

  it('shows the timeline with agent names, the silence and the results that caused it; an operator acknowledges', async () => {
    setActivePinia(createPinia())
    useAuth().me = { username: 'alice', role: 'operator' } as never
    vi.spyOn(api, 'incident').mockResolvedValue(detail(false))
    vi.spyOn(api, 'alertRule').mockResolvedValue(rule)
    vi.spyOn(api, 'task').mockResolvedValue(task)
    vi.spyOn(api, 'agents').mockResolvedValue([{ id: 'a1', name: 'beijing' }, { id: 'a2', name: 'shanghai' }] as never)
    const results = vi.spyOn(api, 'results').mockResolvedValue({ items: [result('res-2'), result('other'), result('res-1')], next: null })
    vi.spyOn(api, 'aggregates').mockResolvedValue({ items: [], from: '', to: '' } as never)
    const ack = vi.spyOn(api, 'acknowledgeIncident').mockResolvedValue(detail(true))
    const w = mount(IncidentPage, { global: { ...global, plugins: [...global.plugins] }, props: { id: 'i1' } })
    await settle(50)
    expect(results.mock.calls[0]).toEqual(['web', { to: '2026-01-01T10:00:01.000Z', limit: 200 }])
    expect(w.find('[data-testid="incident-rule"]').text()).toBe('web down')
    const firing = w.find('[data-testid="event-firing"]')
    expect(firing.text()).toContain('2 of 2 agents bad; beijing: 2 failures')
    expect(firing.findAll('[data-testid="bad-agent"]').map((b) => b.text())).toEqual(['beijing', 'shanghai'])
    expect(firing.find('[data-testid="silenced-by"]').text()).toContain('sil-1234')
    const evidence = firing.findAll('[data-testid="evidence-result"]')
    expect(evidence).toHaveLength(2)
    expect(evidence[0].text()).toContain('FAILURE')
    expect(evidence[0].text()).toContain('beijing')
    expect(evidence[1].text()).toContain('shanghai')
    expect(evidence[1].text()).toContain('PROTOCOL: status 503')

    await w.find('[data-testid="incident-ack"]').trigger('click')
    await settle(50)
    expect(ack).toHaveBeenCalledWith('i1')
    expect(w.find('[data-testid="incident-state"]').text()).toBe('Acknowledged')
    expect(w.find('[data-testid="event-acknowledged"]').exists()).toBe(true)
    expect(w.find('[data-testid="incident-ack"]').exists()).toBe(false)
  })

  it('a viewer can read but not acknowledge or add notes', async () => {
    setActivePinia(createPinia())
    useAuth().me = { username: 'bob', role: 'viewer' } as never
    vi.spyOn(api, 'incident').mockResolvedValue(detail(false))
    vi.spyOn(api, 'alertRule').mockResolvedValue(rule)
    vi.spyOn(api, 'task').mockResolvedValue(task)
    vi.spyOn(api, 'agents').mockResolvedValue([])
    vi.spyOn(api, 'results').mockResolvedValue({ items: [], next: null })
    vi.spyOn(api, 'aggregates').mockResolvedValue({ items: [], from: '', to: '' } as never)
    const w = mount(IncidentPage, { global, props: { id: 'i1' } })
    await settle(50)
    expect(w.find('[data-testid="event-firing"]').exists()).toBe(true)
    expect(w.find('[data-testid="incident-ack"]').exists()).toBe(false)
    expect(w.find('[data-testid="note-add"]').exists()).toBe(false)
    expect(w.find('[data-testid="evidence-result"]').text()).toContain('no longer stored')
  })
})
