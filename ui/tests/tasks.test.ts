import { describe, expect, it } from 'vitest'
import { draftOf, inputOf } from '@/lib/tasks'
import type { Task } from '@/api/types'

describe('task drafts', () => {
  it('a new draft sends only what was filled in', () => {
    const d = draftOf(null, 'http')
    d.target = ' http://127.0.0.1:8080/ '
    expect(inputOf(d, undefined)).toEqual({ type: 'http', target: 'http://127.0.0.1:8080/', interval: '30s', enabled: true, selector: { all: true } })
  })
  it('an existing task round-trips with its revision, selector and dependencies', () => {
    const task: Task = {
      id: 'web', name: 'Web', type: 'http', target: 'http://x/', interval: '10s', timeout: '2s', jitter: '0s', maxInFlight: 1, params: { method: 'HEAD' },
      assertions: [{ field: 'measurement.httpStatus', op: 'lt', value: 400 }], labels: { team: 'a' }, enabled: false,
      selector: { labels: { region: 'eu' } }, dependsOn: ['gw'], revision: 4, createdBy: null, createdAt: '', updatedAt: '',
    }
    const input = inputOf(draftOf(task), undefined)
    expect(input).toMatchObject({ id: 'web', name: 'Web', timeout: '2s', params: { method: 'HEAD' }, enabled: false, revision: 4, selector: { labels: { region: 'eu' } }, dependsOn: ['gw'] })
    expect(input.assertions).toEqual([{ field: 'measurement.httpStatus', op: 'lt', value: 400 }])
  })
})
