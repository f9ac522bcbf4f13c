// Agent self-update in the UI (docs/agent-updates.md): agents per version, the rollout selector, upload parts.
import type { Agent, Selector } from '@/api'
import { parseLabels } from './format'

/** Each upload part stays under the server's default body limit (4 MiB). */
export const PART_BYTES = 3 * 1024 * 1024

export interface VersionCount {
  version: string
  agents: number
  online: number
}

/** How many agents run each version (never-connected agents have none), most agents first. */
export function agentsPerVersion(agents: Agent[]): VersionCount[] {
  const by = new Map<string, VersionCount>()
  for (const a of agents) {
    if (a.revokedAt || !a.version) continue
    const c = by.get(a.version) ?? { version: a.version, agents: 0, online: 0 }
    c.agents++
    if (a.online) c.online++
    by.set(a.version, c)
  }
  return [...by.values()].sort((x, y) => y.agents - x.agents || x.version.localeCompare(y.version))
}

/** "region=east, isp=unicom" as a selector; blank: every agent. */
export function selectorOf(text: string): Selector {
  const labels = parseLabels(text)
  return Object.keys(labels).length ? { labels } : { all: true }
}

/** The [start, end) byte ranges of a file of `size` bytes sent in parts. */
export function parts(size: number, partBytes = PART_BYTES): [number, number][] {
  const out: [number, number][] = []
  for (let start = 0; start < size; start += partBytes) out.push([start, Math.min(size, start + partBytes)])
  return out
}

/** Hex SHA-256 of the file, as the release is announced with. */
export async function sha256(file: Blob): Promise<string> {
  // a view of this realm's own: jsdom's Blob hands out an ArrayBuffer WebCrypto does not take
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(await file.arrayBuffer()))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}
