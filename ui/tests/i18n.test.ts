import { describe, expect, it } from 'vitest'
import en from '@/i18n/en'
import zh from '@/i18n/zh-CN'

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

describe('messages', () => {
  it('Chinese and English have the same keys, none empty', () => {
    expect(keys(zh).sort()).toEqual(keys(en).sort())
    for (const k of keys(zh)) expect(k.split('.').reduce((o: any, p) => o[p], zh)).not.toBe('')
  })
})
