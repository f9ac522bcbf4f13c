import { describe, expect, it } from 'vitest'
import { cleanParams, errorFor, unclaimed } from '@/lib/fields'
import { ApiError } from '@/api/http'
import type { ParameterSpec } from '@/api/types'

const spec = (name: string, type: ParameterSpec['type']): ParameterSpec => ({
  name, type, description: '', default: null, required: false, secret: false, min: null, max: null, allowedValues: [], pattern: null,
})

describe('field errors', () => {
  const errors = { target: 'required', 'params.count': 'must be at most 100', 'assertions[0].op': 'unknown op', 'selector.labels': 'empty', other: 'x' }
  it('finds a field and what is nested in it', () => {
    expect(errorFor(errors, 'target')).toBe('required')
    expect(errorFor(errors, 'params')).toBe('count: must be at most 100')
    expect(errorFor(errors, 'assertions')).toBe('[0].op: unknown op')
    expect(errorFor(errors, 'interval')).toBe('')
  })
  it('lists what no field shows', () => {
    expect(unclaimed(errors, ['target', 'params', 'assertions', 'selector'])).toEqual({ other: 'x' })
  })
  it('reads problem+json errors by field, joining repeats', () => {
    const e = new ApiError(400, { type: 'urn:vantage:problem:invalid-request', title: 'Bad Request', status: 400,
      errors: [{ field: 'interval', message: 'a' }, { field: 'interval', message: 'b' }, { field: 'params.count', message: 'c' }] })
    expect(e.fieldErrors()).toEqual({ interval: 'a; b', 'params.count': 'c' })
  })
})

describe('cleanParams', () => {
  it('drops empty values and turns numeric text into numbers', () => {
    const out = cleanParams(
      { count: '3', method: '', headers: {}, tags: [], insecure: false, body: null, size: 'abc' },
      [spec('count', 'integer'), spec('size', 'integer')],
    )
    expect(out).toEqual({ count: 3, insecure: false, size: 'abc' })
  })
})
