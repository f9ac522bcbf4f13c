// The status page form (docs/status-pages.md): a definition as the form edits it and back.
import type { StatusPageDefinition, StatusPageInput } from '@/api/types'

export type Level = 'info' | 'warning' | 'outage'
export const LEVELS: Level[] = ['info', 'warning', 'outage']

export interface PageTaskDraft { task: string; name: string; showTarget: boolean }
export interface PageGroupDraft { name: string; tasks: PageTaskDraft[] }
export interface AnnouncementDraft { title: string; body: string; level: Level }
export interface PageDraft {
  slug: string
  title: string
  logo: string
  groups: PageGroupDraft[]
  announcements: AnnouncementDraft[]
}

export function pageDraft(p?: StatusPageDefinition | null): PageDraft {
  if (!p) return { slug: '', title: '', logo: '', groups: [{ name: '', tasks: [] }], announcements: [] }
  return {
    slug: p.slug,
    title: p.title,
    logo: p.logo ?? '',
    groups: p.groups.map((g) => ({ name: g.name, tasks: g.tasks.map((t) => ({ task: t.task, name: t.name, showTarget: t.showTarget ?? false })) })),
    announcements: (p.announcements ?? []).map((a) => ({ title: a.title, body: a.body ?? '', level: a.level ?? 'info' })),
  }
}

/** What POST/PUT /status-pages take: text trimmed, an empty logo or body is none. Indexes stay as in the form, so
 *  the server's field errors (`groups[0].tasks[1].task`) point at the right row. */
export function pageInputOf(d: PageDraft): StatusPageInput {
  return {
    slug: d.slug.trim(),
    title: d.title.trim(),
    logo: d.logo.trim() || null,
    groups: d.groups.map((g) => ({
      name: g.name.trim(),
      tasks: g.tasks.map((t) => ({ task: t.task, name: t.name.trim(), showTarget: t.showTarget })),
    })),
    announcements: d.announcements.map((a) => ({ title: a.title.trim(), body: a.body.trim() || null, level: a.level })),
  }
}

/** A slug proposed from a title: lower-case letters, digits and dashes, as the server accepts. */
export function slugOf(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63)
}

/** Where the public reads the page (no login). */
export function publicPath(slug: string): string {
  return `/status/${encodeURIComponent(slug)}`
}
