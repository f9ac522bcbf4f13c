import { describe, expect, it } from 'vitest'
import {
  CONDITION_FIELDS, CONDITION_TYPES, describeCondition, describeScope, describeTasks, firingSpans, incidentDuration, incidentWindow,
  previewTotals, ruleDraftOf, ruleInputOf, silenceDraft, silenceInputOf, silenceState, sortIncidents, span, watches, withAgentNames,
} from '@/lib/alerting'
import { CHANNEL_KINDS, CHANNEL_SETTINGS, MASK, channelDraftOf, channelInputOf, emptySettings, settingsSummary } from '@/lib/channels'
import { i18n } from '@/i18n'
import type { AlertRule, Channel, Incident, PreviewTransition, Silence } from '@/api/types'

const t = i18n.global.t as unknown as (k: string, n?: Record<string, unknown>) => string
const rule = (over: Partial<AlertRule> = {}): AlertRule => ({
  id: 'r1', name: 'web down', tasks: { task: 'web' }, condition: { type: 'consecutiveFailures', count: 3 }, scope: { minAgents: 2, minPercent: 0 },
  for: '1m', resolveAfter: '5m', repeatEvery: null, channels: ['c1'], enabled: true, revision: 7, createdBy: null, createdAt: '', updatedAt: '',
  ...over,
})

describe('rule drafts', () => {
  it('a stored rule round-trips with its revision', () => {
    expect(ruleInputOf(ruleDraftOf(rule()))).toEqual({
      name: 'web down', tasks: { task: 'web' }, condition: { type: 'consecutiveFailures', count: 3 }, scope: { minAgents: 2, minPercent: 0 },
      for: '1m', resolveAfter: '5m', repeatEvery: null, channels: ['c1'], enabled: true, revision: 7,
    })
  })
  it('every condition type sends exactly its own fields', () => {
    for (const type of CONDITION_TYPES) {
      const d = ruleDraftOf(null, 'web')
      d.type = type
      expect(Object.keys(ruleInputOf(d).condition).sort()).toEqual(['type', ...CONDITION_FIELDS[type]].sort())
    }
  })
  it('a latency rule keeps its metric and window; an emptied field is left out for the server to name', () => {
    const d = ruleDraftOf(rule({ condition: { type: 'latency', metric: 'phase.connect', percentile: 99, maxMs: 200, window: '10m' } }))
    expect(d.cond).toMatchObject({ metric: 'phase.connect', percentile: 99, maxMs: 200, window: '10m' })
    d.cond.window = ' '
    d.cond.maxMs = undefined
    expect(ruleInputOf(d).condition).toEqual({ type: 'latency', metric: 'phase.connect', percentile: 99 })
  })
  it('labels, a merged scope and reminders', () => {
    const d = ruleDraftOf(rule({ tasks: { labels: { env: 'prod' } }, scope: { merged: true }, repeatEvery: '1h' }))
    expect(ruleInputOf(d)).toMatchObject({ tasks: { labels: { env: 'prod' } }, scope: { merged: true }, repeatEvery: '1h' })
  })
  it('a preview needs no name and sends no revision', () => {
    const d = ruleDraftOf(rule({ name: '' }))
    const p = ruleInputOf(d, true)
    expect(p.name).toBe('preview')
    expect(p.revision).toBeUndefined()
  })
  it('a new rule starts on the given task', () => {
    expect(ruleInputOf(ruleDraftOf(null, 'api')).tasks).toEqual({ task: 'api' })
  })
})

describe('rules in words', () => {
  it('conditions, scopes and tasks', () => {
    expect(describeCondition({ type: 'latency', metric: 'phase.connect', percentile: 95, maxMs: 200, window: '5m' }, t))
      .toBe('p95 of phase.connect above 200 ms over 5m')
    expect(describeCondition({ type: 'consecutiveFailures', count: 2 }, t)).toBe('2 failures in a row')
    expect(describeScope({ minAgents: 2, minPercent: 0 }, t)).toBe('from ≥ 2 agents')
    expect(describeScope({ minAgents: 2, minPercent: 50 }, t)).toBe('from ≥ 2 agents and ≥ 50%')
    expect(describeScope({ merged: true }, t)).toBe('all agents merged')
    expect(describeTasks({ task: 'web' }, [{ id: 'web', name: 'Web' }], t)).toBe('Web')
    expect(describeTasks({ task: 'gone' }, [], t)).toBe('gone (deleted)')
    expect(describeTasks({ labels: { env: 'prod' } }, [], t)).toBe('tasks with env=prod')
  })
  it('agent ids in a summary become names', () => {
    expect(withAgentNames('2 of 3 agents bad; a-1: 3 failures', [{ id: 'a-1', name: 'beijing' }])).toBe('2 of 3 agents bad; beijing: 3 failures')
  })
})

describe('which rules watch a task', () => {
  it('by id, or by all of its labels', () => {
    const task = { id: 'web', labels: { env: 'prod', tier: 'db' } }
    expect(watches({ task: 'web' }, task)).toBe(true)
    expect(watches({ task: 'api' }, task)).toBe(false)
    expect(watches({ labels: { env: 'prod' } }, task)).toBe(true)
    expect(watches({ labels: { env: 'prod', tier: 'web' } }, task)).toBe(false)
  })
})

describe('incidents', () => {
  const inc = (id: string, state: Incident['state'], startedAt: string): Incident => ({
    id, ruleId: 'r', taskId: 't', state, startedAt, resolvedAt: state === 'resolved' ? startedAt : null, acknowledgedBy: null, acknowledgedAt: null, summary: '',
  })
  it('open ones first, then the newest', () => {
    const sorted = sortIncidents([inc('a', 'resolved', '2026-01-03T00:00:00Z'), inc('b', 'open', '2026-01-01T00:00:00Z'), inc('c', 'open', '2026-01-02T00:00:00Z')])
    expect(sorted.map((i) => i.id)).toEqual(['c', 'b', 'a'])
  })
  it('durations as people read them', () => {
    expect(span(4_000)).toBe('4s')
    expect(span(125_000)).toBe('2m 5s')
    expect(span(3 * 3600_000 + 60_000)).toBe('3h 1m')
    expect(span(26 * 3600_000)).toBe('1d 2h')
    expect(incidentDuration({ startedAt: '2026-01-01T00:00:00Z', resolvedAt: null }, Date.parse('2026-01-01T00:01:30Z'))).toBe('1m 30s')
  })
  it('a chart window around an incident, not before the task existed, with a bucket for at most 150 points', () => {
    const w = incidentWindow({ startedAt: '2026-01-01T10:00:00Z', resolvedAt: '2026-01-01T10:00:30Z' }, Date.parse('2026-01-01T12:00:00Z'))
    expect(w).toEqual({ from: '2026-01-01T09:58:00.000Z', to: '2026-01-01T10:02:30.000Z', bucket: '5s' })
    const young = incidentWindow({ startedAt: '2026-01-01T10:00:00Z', resolvedAt: null }, Date.parse('2026-01-01T10:00:10Z'), '2026-01-01T09:59:30Z')
    expect(young.from).toBe('2026-01-01T09:59:30.000Z')
    expect(young.to).toBe('2026-01-01T10:00:10.000Z')
    const long = incidentWindow({ startedAt: '2026-01-01T00:00:00Z', resolvedAt: '2026-01-03T00:00:00Z' }, Date.parse('2026-01-09T00:00:00Z'))
    expect(long.bucket).toBe('1h')
  })
})

describe('rule previews', () => {
  const from = '2026-01-01T00:00:00Z'
  const to = '2026-01-02T00:00:00Z'
  const tr = (kind: PreviewTransition['kind'], at: string): PreviewTransition => ({ kind, at, summary: '', badAgents: [] })
  it('firing stretches on the 24 h window; reminders inside them; one still firing runs to the end', () => {
    const spans = firingSpans([tr('resolved', '2026-01-01T12:00:00Z'), tr('firing', '2026-01-01T06:00:00Z'), tr('reminder', '2026-01-01T07:00:00Z'),
      tr('firing', '2026-01-01T18:00:00Z')], from, to)
    expect(spans).toEqual([
      { left: 25, width: 25, from: '2026-01-01T06:00:00Z', to: '2026-01-01T12:00:00Z', open: false },
      { left: 75, width: 25, from: '2026-01-01T18:00:00Z', to, open: true },
    ])
  })
  it('a brief incident is still visible', () => {
    expect(firingSpans([tr('firing', '2026-01-01T06:00:00Z'), tr('resolved', '2026-01-01T06:00:01Z')], from, to)[0].width).toBe(0.3)
  })
  it('totals: incidents are firings', () => {
    expect(previewTotals({ from, to, truncated: false, tasks: [
      { taskId: 'a', results: 10, transitions: [tr('firing', from), tr('reminder', from), tr('resolved', to)] },
      { taskId: 'b', results: 5, transitions: [] },
    ] })).toEqual({ incidents: 1, results: 15, tasks: 2, firingTasks: 1 })
  })
})

describe('silences', () => {
  it('once: the picked range as instants', () => {
    const d = silenceDraft('web')
    d.once = [new Date('2026-01-01T01:00:00Z'), '2026-01-01T03:00:00Z']
    d.comment = ' upgrade '
    expect(silenceInputOf(d)).toEqual({ tasks: { task: 'web' }, comment: 'upgrade', once: { from: '2026-01-01T01:00:00.000Z', until: '2026-01-01T03:00:00Z' } })
  })
  it('weekly: days in week order, a rule, a time zone', () => {
    const d = silenceDraft('web')
    Object.assign(d, { kind: 'weekly', days: ['sun', 'mon'], from: '23:00', to: '01:00', timeZone: 'Asia/Shanghai', rule: 'r1' })
    expect(silenceInputOf(d)).toEqual({ tasks: { task: 'web' }, rule: 'r1', weekly: { days: ['mon', 'sun'], from: '23:00', to: '01:00', timeZone: 'Asia/Shanghai' } })
  })
  it('whether a once-window holds now', () => {
    const s = (from: string, until: string) => ({ once: { from, until } }) as Silence
    const now = Date.parse('2026-01-01T02:00:00Z')
    expect(silenceState(s('2026-01-01T01:00:00Z', '2026-01-01T03:00:00Z'), now)).toBe('active')
    expect(silenceState(s('2026-01-01T03:00:00Z', '2026-01-01T04:00:00Z'), now)).toBe('upcoming')
    expect(silenceState(s('2025-12-31T01:00:00Z', '2026-01-01T01:00:00Z'), now)).toBe('expired')
    expect(silenceState({ weekly: { days: ['mon'], from: '01:00', to: '02:00', timeZone: 'UTC' } } as Silence, now)).toBe('weekly')
  })
})

describe('channels', () => {
  const stored: Channel = {
    id: 'c1', name: 'ops', type: 'dingtalk', language: 'zh', enabled: true, revision: 3, createdBy: null, createdAt: '', updatedAt: '',
    settings: { url: MASK, secret: MASK, atMobiles: ['138'] }, templates: {},
  }
  it('a stored channel sends its masked secrets back as they are, to keep them', () => {
    expect(channelInputOf(channelDraftOf(stored))).toEqual({
      name: 'ops', type: 'dingtalk', language: 'zh', enabled: true, revision: 3, settings: { url: MASK, secret: MASK, atMobiles: ['138'] },
    })
  })
  it('empty settings are left out so defaults apply; lists are trimmed; a port is a number', () => {
    const d = channelDraftOf(null, 'en')
    d.type = 'email'
    d.name = ' mail '
    d.settings = { ...emptySettings('email'), host: ' smtp.example.com ', port: 465, to: [' a@example.com ', ''], from: 'v@example.com' }
    expect(channelInputOf(d)).toEqual({
      name: 'mail', type: 'email', language: 'en', enabled: true, settings: { host: 'smtp.example.com', port: 465, to: ['a@example.com'], from: 'v@example.com' },
    })
  })
  it('every kind has its settings, each named once, and a one-line summary that keeps secrets masked', () => {
    for (const k of CHANNEL_KINDS) {
      const names = CHANNEL_SETTINGS[k].map((s) => s.name)
      expect(new Set(names).size).toBe(names.length)
      expect(CHANNEL_SETTINGS[k].some((s) => s.required)).toBe(true)
    }
    expect(settingsSummary(stored)).toBe(`${MASK} · atMobiles: 138`)
  })
})
