import axios, { AxiosError, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios'
import type { Problem, TokenPair } from './types'
import { i18n } from '@/i18n'

/** Where the session's tokens live between page loads. */
const STORAGE_KEY = 'vantage.session'

export interface Session {
  accessToken: string
  refreshToken: string
}

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY)
    return raw ? (JSON.parse(raw) as Session) : null
  } catch {
    return null
  }
}

export function saveSession(pair: TokenPair | null): void {
  if (pair) {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ accessToken: pair.accessToken, refreshToken: pair.refreshToken }))
  } else {
    localStorage.removeItem(STORAGE_KEY)
  }
}

/** An API error with the server's problem+json body, when there was one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem?.detail || problem?.title || `HTTP ${status}`)
  }

  /** Field errors of a 400, keyed by field path (e.g. `params.count`). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const e of this.problem?.errors ?? []) {
      out[e.field] = out[e.field] ? `${out[e.field]}; ${e.message}` : e.message
    }
    return out
  }
}

/** Called when the session is gone for good (refresh refused), so the app can go to the login page. */
let onSessionLost: () => void = () => {}
export function setSessionLostHandler(handler: () => void): void {
  onSessionLost = handler
}

export const http: AxiosInstance = axios.create({ baseURL: '/api/v1', timeout: 30000 })

http.interceptors.request.use((config: InternalAxiosRequestConfig) => {
  const s = loadSession()
  if (s && !config.headers.Authorization) {
    config.headers.Authorization = `Bearer ${s.accessToken}`
  }
  // the server answers plugin texts (names, target hints, parameter descriptions) in the UI's language
  config.headers['Accept-Language'] = i18n.global.locale.value
  return config
})

let refreshing: Promise<boolean> | null = null

/** Trades the refresh token for a new pair once, however many requests failed with 401 at the same time. */
async function refresh(): Promise<boolean> {
  const s = loadSession()
  if (!s) return false
  refreshing ??= axios
    .post<TokenPair>('/api/v1/auth/refresh', { refreshToken: s.refreshToken })
    .then((r) => {
      saveSession(r.data)
      return true
    })
    .catch(() => false)
    .finally(() => {
      setTimeout(() => (refreshing = null), 0)
    })
  return refreshing
}

http.interceptors.response.use(
  (r) => r,
  async (error: AxiosError) => {
    const config = error.config as (InternalAxiosRequestConfig & { _retried?: boolean }) | undefined
    const status = error.response?.status ?? 0
    if (status === 401 && config && !config._retried && !config.url?.startsWith('/auth/login')) {
      config._retried = true
      if (await refresh()) {
        delete config.headers.Authorization
        return http.request(config)
      }
      saveSession(null)
      onSessionLost()
    }
    const data = error.response?.data
    const problem = data && typeof data === 'object' && 'status' in data ? (data as Problem) : null
    throw new ApiError(status, problem ?? (status ? null : { type: 'network', title: error.message, status: 0 }))
  },
)
