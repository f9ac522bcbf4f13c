import { describe, expect, it } from 'vitest'
import type { Agent } from '@/api'
import { agentsPerVersion, parts, selectorOf, sha256 } from '@/lib/agentUpdates'

const agent = (version: string, online: boolean, revokedAt: string | null = null) =>
  ({ version, online, revokedAt }) as unknown as Agent

describe('agent updates', () => {
  it('counts agents per version, most first; unconnected and revoked agents have none', () => {
    expect(agentsPerVersion([agent('2.1.0', true), agent('2.0.0', false), agent('2.1.0', false), agent('', false),
      agent('2.0.0', true, '2026-01-01T00:00:00Z')])).toEqual([
      { version: '2.1.0', agents: 2, online: 1 },
      { version: '2.0.0', agents: 1, online: 0 },
    ])
  })

  it('reads the selector from labels; blank means every agent', () => {
    expect(selectorOf('region=east, isp=unicom')).toEqual({ labels: { region: 'east', isp: 'unicom' } })
    expect(selectorOf('  ')).toEqual({ all: true })
  })

  it('cuts a file into parts that end where the next begins', () => {
    expect(parts(10, 4)).toEqual([[0, 4], [4, 8], [8, 10]])
    expect(parts(0, 4)).toEqual([])
  })

  it('hashes as sha256sum does', async () => {
    expect(await sha256(new Blob(['abc']))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })
})
