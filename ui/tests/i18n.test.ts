import { describe, expect, it, vi } from 'vitest'
import en from '@/i18n/en'
import zh from '@/i18n/zh-CN'
import { i18n } from '@/i18n'

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

describe('messages', () => {
  it('Chinese and English have the same keys, none empty', () => {
    expect(keys(zh).sort()).toEqual(keys(en).sort())
    for (const k of keys(zh)) expect(k.split('.').reduce((o: any, p) => o[p], zh)).not.toBe('')
  })

  it('Chinese calls an agent 节点 (as the server does), never 代理, which also reads as "proxy"', () => {
    for (const k of keys(zh)) expect(k.split('.').reduce((o: any, p) => o[p], zh), k).not.toContain('代理')
  })

  it('every message compiles (a bare @ or | would not) in both languages', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const g = i18n.global as unknown as { locale: { value: string }; t: (k: string, n?: object) => string }
    const before = g.locale.value
    try {
      for (const l of ['en', 'zh-CN']) {
        g.locale.value = l
        for (const k of keys(en)) expect(g.t(k, { n: 2 }), k).not.toBe(k)
      }
      expect(warn).not.toHaveBeenCalled()
      expect(error).not.toHaveBeenCalled()
    } finally {
      g.locale.value = before
      warn.mockRestore()
      error.mockRestore()
    }
  })
})

describe('the API client', () => {
  it('asks for the UI\'s language, so plugin texts come back in it', async () => {
    const { http } = await import('@/api/http')
    const { api } = await import('@/api')
    const { setLocale } = await import('@/i18n')
    const asked: unknown[] = []
    const adapter = http.defaults.adapter
    http.defaults.adapter = async (config) => {
      asked.push(config.headers['Accept-Language'])
      return { data: { items: [] }, status: 200, statusText: 'OK', headers: {}, config }
    }
    try {
      setLocale('zh-CN')
      await api.plugins()
      setLocale('en')
      await api.plugins()
      expect(asked).toEqual(['zh-CN', 'en'])
    } finally {
      http.defaults.adapter = adapter
    }
  })
})
