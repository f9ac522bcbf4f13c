import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { i18n } from '@/i18n'
import { api } from '@/api'
import { ApiError } from '@/api/http'
import type { ParameterSpec, Plugin } from '@/api/types'
import ParamsForm from '@/components/ParamsForm.vue'
import PhaseWaterfall from '@/components/PhaseWaterfall.vue'
import TaskForm from '@/pages/tasks/TaskForm.vue'

const global = { plugins: [ElementPlus, i18n] }
/** Element Plus shows a form item's error after a short debounce. */
const settle = async () => {
  await flushPromises()
  await new Promise((r) => setTimeout(r, 250))
}
const spec = (name: string, type: ParameterSpec['type'], extra: Partial<ParameterSpec> = {}): ParameterSpec => ({
  name, type, description: `about ${name}`, default: null, required: false, secret: false, min: null, max: null, allowedValues: [], pattern: null, ...extra,
})
// a third-party plugin the UI has never heard of
const custom: Plugin = {
  type: 'dns-x', displayName: 'DNS X', description: 'third party', version: '1', target: 'a name', jar: null,
  parameters: [spec('server', 'string', { required: true }), spec('count', 'integer', { min: 1, max: 10, default: 3 }),
    spec('mode', 'enum', { allowedValues: ['A', 'AAAA'] }), spec('token', 'string', { secret: true }), spec('tcp', 'boolean', { default: true })],
}

describe('ParamsForm', () => {
  it('renders one field per described parameter, of the right kind, with its error', async () => {
    const w = mount(ParamsForm, { global, props: { specs: custom.parameters, modelValue: {}, errors: { 'params.count': 'must be at most 10' } } })
    await settle()
    for (const p of custom.parameters) expect(w.find(`[data-testid="param-${p.name}"]`).exists()).toBe(true)
    expect(w.find('[data-testid="param-count"] .el-input-number').exists()).toBe(true)
    expect(w.find('[data-testid="param-mode"] .el-select').exists()).toBe(true)
    expect(w.find('[data-testid="param-tcp"] .el-switch').exists()).toBe(true)
    expect(w.find('[data-testid="param-token"] input').attributes('type')).toBe('password')
    expect(w.find('[data-testid="param-count"]').text()).toContain('must be at most 10')
    expect(w.find('[data-testid="param-server"]').text()).toContain('about server')
  })
})

describe('TaskForm', () => {
  it('shows the API 400 errors on the matching fields', async () => {
    const spy = vi.spyOn(api, 'createTask').mockRejectedValue(
      new ApiError(400, { type: 'urn:vantage:problem:invalid-request', title: 'Bad Request', status: 400, detail: 'invalid', errors: [
        { field: 'interval', message: 'must be at least 10ms' },
        { field: 'params.count', message: 'must be at most 10' },
        { field: 'assertions[0].op', message: "unknown op 'bigger'" },
      ] }),
    )
    const w = mount(TaskForm, { global, props: { task: null, plugins: [custom], agents: [] } })
    await w.find('[data-testid="field-target"] input').setValue('example.com')
    await w.find('form').trigger('submit')
    await settle()
    expect(spy).toHaveBeenCalledOnce()
    expect(spy.mock.calls[0][0]).toMatchObject({ type: 'dns-x', target: 'example.com', interval: '30s' })
    expect(w.find('[data-testid="field-interval"]').text()).toContain('must be at least 10ms')
    expect(w.find('[data-testid="param-count"]').text()).toContain('must be at most 10')
    expect(w.find('[data-testid="form-error"]').exists()).toBe(true)
  })

  it('emits the saved task', async () => {
    vi.spyOn(api, 'createTask').mockResolvedValue({
      id: 'x', name: 'x', type: 'dns-x', target: 't', interval: '30s', timeout: '5s', jitter: '0s', maxInFlight: 1, params: {}, assertions: [],
      labels: {}, enabled: true, selector: { all: true }, dependsOn: [], revision: 1, createdBy: null, createdAt: '', updatedAt: '',
    })
    const w = mount(TaskForm, { global, props: { task: null, plugins: [custom], agents: [] } })
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(w.emitted('saved')?.[0][0]).toMatchObject({ id: 'x' })
  })
})

describe('PhaseWaterfall', () => {
  it('draws a bar per phase on one scale', () => {
    const w = mount(PhaseWaterfall, { global, props: { phases: { dns: 1, connect: 1, ttfb: 2 }, total: 8 } })
    const bars = w.findAll('.bar')
    expect(bars).toHaveLength(4)
    expect(bars[2].attributes('style')).toContain('left: 25%')
    expect(bars[3].attributes('style')).toContain('width: 50%')
  })
})

describe('AccountPage', () => {
  it('shows why a new password was refused beside the field, as the server words it', async () => {
    const { createPinia, setActivePinia } = await import('pinia')
    setActivePinia(createPinia())
    const AccountPage = (await import('@/pages/account/AccountPage.vue')).default
    vi.spyOn(api, 'loginSessions').mockResolvedValue([
      { id: 's1', createdAt: '2026-12-07T10:00:00Z', expiresAt: '2026-12-07T10:30:00Z', current: true },
    ])
    const reason = 'is one of the most common passwords (it appears in breached-password lists); choose another'
    const change = vi.spyOn(api, 'changePassword').mockRejectedValue(
      new ApiError(400, { type: 'urn:vantage:problem:invalid-request', title: 'Bad Request', status: 400, detail: '1 field is invalid',
        errors: [{ field: 'newPassword', message: reason }] }))
    const w = mount(AccountPage, { global: { plugins: [ElementPlus, i18n, createPinia()] } })
    await settle()
    expect(w.text()).toContain(i18n.global.t('account.current'))
    await w.find('[data-testid="current-password"]').setValue('my-current-password')
    await w.find('[data-testid="new-password"]').setValue('Qwerty123456')
    await w.find('form').trigger('submit')
    await settle()
    expect(change).toHaveBeenCalledWith('my-current-password', 'Qwerty123456')
    expect(w.text()).toContain(reason)
  })
})
