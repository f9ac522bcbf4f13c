// Notification channels: each kind's settings as the server's ChannelTypes read them (docs/alerting.md, "Channels").
import type { Channel, ChannelInput, ChannelKind } from '@/api/types'

/** The mask the API shows for a stored secret; sent back unchanged, it keeps the secret. */
export const MASK = '******'

export interface SettingSpec {
  name: string
  /** `secret` fields are masked when read back; `list` is a list of strings; `port` a number. */
  kind: 'text' | 'secret' | 'list' | 'port' | 'enum'
  required?: boolean
  options?: string[]
  placeholder?: string
}

export const CHANNEL_KINDS: ChannelKind[] = ['dingtalk', 'feishu', 'wecom', 'webhook', 'email', 'slack', 'telegram']

export const CHANNEL_SETTINGS: Record<ChannelKind, SettingSpec[]> = {
  email: [
    { name: 'host', kind: 'text', required: true, placeholder: 'smtp.example.com' },
    { name: 'port', kind: 'port', placeholder: '587' },
    { name: 'security', kind: 'enum', options: ['starttls', 'tls', 'none'], placeholder: 'starttls' },
    { name: 'username', kind: 'text' },
    { name: 'password', kind: 'secret' },
    { name: 'from', kind: 'text', required: true, placeholder: 'vantage@example.com' },
    { name: 'to', kind: 'list', required: true, placeholder: 'ops@example.com' },
    { name: 'heloName', kind: 'text', placeholder: 'localhost' },
  ],
  webhook: [
    { name: 'url', kind: 'text', required: true, placeholder: 'https://hooks.example.com/vantage' },
    { name: 'secret', kind: 'secret' },
  ],
  dingtalk: [
    { name: 'url', kind: 'secret', required: true, placeholder: 'https://oapi.dingtalk.com/robot/send?access_token=…' },
    { name: 'secret', kind: 'secret', placeholder: 'SEC…' },
    { name: 'atMobiles', kind: 'list' },
    { name: 'atUserIds', kind: 'list' },
  ],
  feishu: [
    { name: 'url', kind: 'secret', required: true, placeholder: 'https://open.feishu.cn/open-apis/bot/v2/hook/…' },
    { name: 'secret', kind: 'secret' },
    { name: 'atUserIds', kind: 'list' },
  ],
  wecom: [
    { name: 'url', kind: 'secret', required: true, placeholder: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…' },
    { name: 'atUserIds', kind: 'list' },
    { name: 'atMobiles', kind: 'list' },
  ],
  slack: [{ name: 'url', kind: 'secret', required: true, placeholder: 'https://hooks.slack.com/services/…' }],
  telegram: [
    { name: 'botToken', kind: 'secret', required: true, placeholder: '123456:ABC-DEF…' },
    { name: 'chatId', kind: 'text', required: true, placeholder: '-1001234567890' },
    { name: 'apiBase', kind: 'text', placeholder: 'https://api.telegram.org' },
  ],
}

/** What the channel form edits. */
export interface ChannelDraft {
  name: string
  type: ChannelKind
  language: 'en' | 'zh'
  enabled: boolean
  settings: Record<string, string | string[] | number | undefined>
  revision?: number
}

/** Empty settings of a kind, in the form's shapes (lists as arrays). */
export function emptySettings(type: ChannelKind): ChannelDraft['settings'] {
  return Object.fromEntries(CHANNEL_SETTINGS[type].map((s) => [s.name, s.kind === 'list' ? [] : s.kind === 'port' ? undefined : '']))
}

export function channelDraftOf(c: Channel | null, language: 'en' | 'zh' = 'en'): ChannelDraft {
  const type = (c?.type ?? 'dingtalk') as ChannelKind
  const settings = emptySettings(type)
  for (const [k, v] of Object.entries(c?.settings ?? {})) {
    settings[k] = Array.isArray(v) ? v.map(String) : typeof v === 'number' ? v : v == null ? '' : String(v)
  }
  return { name: c?.name ?? '', type, language: c?.language ?? language, enabled: c?.enabled ?? true, settings, revision: c?.revision }
}

/** The JSON sent to POST/PUT /channels: empty settings left out (defaults apply), masked secrets sent back as they are. */
export function channelInputOf(d: ChannelDraft): ChannelInput {
  const settings: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(d.settings)) {
    if (v === undefined || v === null) continue
    if (typeof v === 'string' && v.trim() === '') continue
    if (Array.isArray(v)) {
      const items = v.map((x) => x.trim()).filter(Boolean)
      if (items.length) settings[k] = items
      continue
    }
    settings[k] = typeof v === 'string' ? v.trim() : v
  }
  const input: ChannelInput = { name: d.name.trim(), type: d.type, language: d.language, settings, enabled: d.enabled }
  if (d.revision != null) input.revision = d.revision
  return input
}

/** A one-line view of a channel's settings for lists: secrets stay masked, lists joined; `label` names a setting. */
export function settingsSummary(c: Channel, label: (name: string) => string = (n) => n): string {
  const specs = CHANNEL_SETTINGS[c.type as ChannelKind] ?? []
  const main = specs.find((s) => s.required && s.kind !== 'secret') ?? specs.find((s) => s.name === 'url')
  const parts: string[] = []
  if (main && c.settings[main.name] != null) parts.push(String(c.settings[main.name]))
  for (const s of specs.filter((x) => x.kind === 'list')) {
    const v = c.settings[s.name]
    if (Array.isArray(v) && v.length) parts.push(`${label(s.name)}: ${v.join(', ')}`)
  }
  return parts.join(' · ')
}
