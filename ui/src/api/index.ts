// The typed API client: one function per endpoint the UI uses.
import { http, saveSession } from './http'
import type {
  Agent,
  AgentPolicyInput,
  Aggregates,
  ApiToken,
  EnrollmentToken,
  InstantTest,
  InstantTestInput,
  Me,
  NewApiToken,
  NewEnrollmentToken,
  Plugin,
  ResultPage,
  Role,
  Task,
  TaskInput,
  TaskPage,
  TokenPair,
  User,
} from './types'

export * from './types'
export { ApiError } from './http'

export const api = {
  async login(username: string, password: string): Promise<void> {
    const r = await http.post<TokenPair>('/auth/login', { username, password })
    saveSession(r.data)
  },
  async logout(): Promise<void> {
    try {
      await http.post('/auth/logout')
    } finally {
      saveSession(null)
    }
  },
  me: () => http.get<Me>('/auth/me').then((r) => r.data),

  tasks: (limit = 500, offset = 0) => http.get<TaskPage>('/tasks', { params: { limit, offset } }).then((r) => r.data),
  task: (id: string) => http.get<Task>(`/tasks/${enc(id)}`).then((r) => r.data),
  createTask: (t: TaskInput) => http.post<Task>('/tasks', t).then((r) => r.data),
  updateTask: (id: string, t: TaskInput) => http.put<Task>(`/tasks/${enc(id)}`, t).then((r) => r.data),
  deleteTask: (id: string) => http.delete(`/tasks/${enc(id)}`).then(() => undefined),
  setTaskEnabled: (id: string, enabled: boolean) =>
    http.post<Task>(`/tasks/${enc(id)}/${enabled ? 'enable' : 'disable'}`).then((r) => r.data),
  results: (id: string, params: { agent?: string; from?: string; to?: string; limit?: number } = {}) =>
    http.get<ResultPage>(`/tasks/${enc(id)}/results`, { params }).then((r) => r.data),
  aggregates: (id: string, params: { bucket?: string; from?: string; to?: string; agent?: string } = {}) =>
    http.get<Aggregates>(`/tasks/${enc(id)}/aggregates`, { params }).then((r) => r.data),

  plugins: () => http.get<{ items: Plugin[] }>('/plugins').then((r) => r.data.items),

  agents: () => http.get<Agent[]>('/agents').then((r) => r.data),
  revokeAgent: (id: string) => http.delete(`/agents/${enc(id)}`).then(() => undefined),
  setAgentLabels: (id: string, labels: Record<string, string>) =>
    http.put<Agent>(`/agents/${enc(id)}/labels`, { labels }).then((r) => r.data),
  enrollmentTokens: () => http.get<EnrollmentToken[]>('/agents/enrollment-tokens').then((r) => r.data),
  createEnrollmentToken: (body: { labels?: Record<string, string>; uses?: number; expiresIn?: string; policy?: AgentPolicyInput }) =>
    http.post<NewEnrollmentToken>('/agents/enrollment-tokens', body).then((r) => r.data),
  revokeEnrollmentToken: (id: string) => http.delete(`/agents/enrollment-tokens/${enc(id)}`).then(() => undefined),

  runInstant: (t: InstantTestInput) => http.post<InstantTest>('/instant-tests', t).then((r) => r.data),
  instant: (id: string) => http.get<InstantTest>(`/instant-tests/${enc(id)}`).then((r) => r.data),

  users: () => http.get<{ items: User[] }>('/users').then((r) => r.data.items),
  createUser: (u: { username: string; password: string; role: Role }) => http.post<User>('/users', u).then((r) => r.data),
  updateUser: (id: string, patch: { role?: Role; disabled?: boolean; password?: string }) =>
    http.patch<User>(`/users/${enc(id)}`, patch).then((r) => r.data),
  deleteUser: (id: string) => http.delete(`/users/${enc(id)}`).then(() => undefined),

  apiTokens: () => http.get<{ items: ApiToken[] }>('/tokens').then((r) => r.data.items),
  createApiToken: (t: { name: string; role?: Role; expiresIn?: string }) => http.post<NewApiToken>('/tokens', t).then((r) => r.data),
  revokeApiToken: (id: string) => http.delete(`/tokens/${enc(id)}`).then(() => undefined),
}

function enc(id: string): string {
  return encodeURIComponent(id)
}
