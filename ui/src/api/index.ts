// The typed API client: one function per endpoint the UI uses.
import { ApiError, http, saveSession } from './http'
import type {
  Agent,
  AlertRule,
  AlertRuleInput,
  Channel,
  ChannelInput,
  ChannelTest,
  Delivery,
  Incident,
  IncidentDetail,
  RulePreview,
  Silence,
  SilenceInput,
  AgentPolicyInput,
  Aggregates,
  Heatmap,
  Matrix,
  ApiToken,
  EnrollmentToken,
  InstantTest,
  InstantTestInput,
  Me,
  LoginSession,
  NewApiToken,
  NewEnrollmentToken,
  Plugin,
  ResultPage,
  Role,
  Task,
  TaskInput,
  TaskPage,
  AuditPage,
  AgentRelease,
  AgentReleaseFields,
  AgentRollout,
  AgentRolloutFields,
  TokenPair,
  User,
  PublicStatusPage,
  SlaObjective,
  SlaPeriod,
  SlaReport,
  StatusPageDefinition,
  StatusPageInput,
} from './types'

export * from './types'
export { ApiError }

export const api = {
  /** Signs in; true when the server asks for the password to be changed (it is too weak by today's policy). */
  async login(username: string, password: string): Promise<boolean> {
    const r = await http.post<TokenPair>('/auth/login', { username, password })
    saveSession(r.data)
    return r.data.passwordChangeRequired
  },
  async logout(): Promise<void> {
    try {
      await http.post('/auth/logout')
    } finally {
      saveSession(null)
    }
  },
  me: () => http.get<Me>('/auth/me').then((r) => r.data),
  /** Changes the caller's password; every other session ends and this tab carries on with the new one. */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    const r = await http.post<TokenPair>('/auth/password', { currentPassword, newPassword })
    saveSession(r.data)
  },
  loginSessions: () => http.get<{ items: LoginSession[] }>('/auth/sessions').then((r) => r.data.items),
  /** Ends the session `id`, or every one but this tab's; needs the password again. Returns how many ended. */
  endLoginSessions: (currentPassword: string, id?: string) =>
    http.post<{ ended: number }>('/auth/sessions/end', { currentPassword, id }).then((r) => r.data.ended),

  tasks: (limit = 500, offset = 0) => http.get<TaskPage>('/tasks', { params: { limit, offset } }).then((r) => r.data),
  task: (id: string) => http.get<Task>(`/tasks/${enc(id)}`).then((r) => r.data),
  createTask: (t: TaskInput) => http.post<Task>('/tasks', t).then((r) => r.data),
  updateTask: (id: string, t: TaskInput) => http.put<Task>(`/tasks/${enc(id)}`, t).then((r) => r.data),
  deleteTask: (id: string) => http.delete(`/tasks/${enc(id)}`).then(() => undefined),
  setTaskEnabled: (id: string, enabled: boolean) =>
    http.post<Task>(`/tasks/${enc(id)}/${enabled ? 'enable' : 'disable'}`).then((r) => r.data),
  results: (id: string, params: { agent?: string; from?: string; to?: string; limit?: number } = {}) =>
    http.get<ResultPage>(`/tasks/${enc(id)}/results`, { params }).then((r) => r.data),
  aggregates: (id: string, params: { bucket?: string; from?: string; to?: string; agent?: string; by?: Aggregates['by'] } = {}) =>
    http.get<Aggregates>(`/tasks/${enc(id)}/aggregates`, { params }).then((r) => r.data),
  heatmap: (id: string, params: { bucket: string; from: string; to: string; agent?: string }) =>
    http.get<Heatmap>(`/tasks/${enc(id)}/heatmap`, { params }).then((r) => r.data),
  matrix: (id: string, params: { from: string; to: string }) =>
    http.get<Matrix>(`/tasks/${enc(id)}/matrix`, { params }).then((r) => r.data),

  plugins: () => http.get<{ items: Plugin[] }>('/plugins').then((r) => r.data.items),

  agents: () => http.get<Agent[]>('/agents').then((r) => r.data),
  revokeAgent: (id: string) => http.delete(`/agents/${enc(id)}`).then(() => undefined),
  /** Revokes and removes an agent for good; its results are kept or deleted. */
  deleteAgent: (id: string, results: 'keep' | 'delete') =>
    http.delete(`/agents/${enc(id)}`, { params: { purge: true, results } }).then(() => undefined),
  setAgentLabels: (id: string, labels: Record<string, string>) =>
    http.put<Agent>(`/agents/${enc(id)}/labels`, { labels }).then((r) => r.data),
  /** The tokens that can still enrol an agent; with `all` the used-up, expired and revoked ones too. */
  enrollmentTokens: (all = false) =>
    http.get<EnrollmentToken[]>('/agents/enrollment-tokens', { params: all ? { all: true } : {} }).then((r) => r.data),
  /** Deletes every used-up, expired or revoked enrollment token; answers how many. */
  purgeSpentTokens: () =>
    http.delete<{ deleted: number }>('/agents/enrollment-tokens', { params: { spent: true } }).then((r) => r.data.deleted),
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

  alertRules: () => http.get<{ items: AlertRule[] }>('/alert-rules').then((r) => r.data.items),
  alertRule: (id: string) => http.get<AlertRule>(`/alert-rules/${enc(id)}`).then((r) => r.data),
  createAlertRule: (r: AlertRuleInput) => http.post<AlertRule>('/alert-rules', r).then((r) => r.data),
  updateAlertRule: (id: string, r: AlertRuleInput) => http.put<AlertRule>(`/alert-rules/${enc(id)}`, r).then((r) => r.data),
  deleteAlertRule: (id: string) => http.delete(`/alert-rules/${enc(id)}`).then(() => undefined),
  previewAlertRule: (r: AlertRuleInput) => http.post<RulePreview>('/alert-rules/preview', r).then((r) => r.data),

  /** `open`: the open ones only; `all`: open and resolved, the newest first. */
  incidents: (state: 'open' | 'all', limit = 500) =>
    http.get<{ items: Incident[] }>('/incidents', { params: { state, limit } }).then((r) => r.data.items),
  incident: (id: string) => http.get<IncidentDetail>(`/incidents/${enc(id)}`).then((r) => r.data),
  acknowledgeIncident: (id: string) => http.post<IncidentDetail>(`/incidents/${enc(id)}/acknowledge`).then((r) => r.data),
  addIncidentNote: (id: string, text: string) =>
    http.post<IncidentDetail>(`/incidents/${enc(id)}/notes`, { text }).then((r) => r.data),

  channels: () => http.get<{ items: Channel[] }>('/channels').then((r) => r.data.items),
  createChannel: (c: ChannelInput) => http.post<Channel>('/channels', c).then((r) => r.data),
  updateChannel: (id: string, c: ChannelInput) => http.put<Channel>(`/channels/${enc(id)}`, c).then((r) => r.data),
  deleteChannel: (id: string) => http.delete(`/channels/${enc(id)}`).then(() => undefined),
  testChannel: (id: string) => http.post<ChannelTest>(`/channels/${enc(id)}/test`).then((r) => r.data),
  deliveries: (id: string, limit = 100) =>
    http.get<{ items: Delivery[] }>(`/channels/${enc(id)}/deliveries`, { params: { limit } }).then((r) => r.data.items),

  publicStatus: (slug: string) => http.get<PublicStatusPage>(`/public/status/${enc(slug)}`).then((r) => r.data),
  /** The task's SLA objective, or null when it has none (a 404). */
  slaObjective: (id: string) =>
    http.get<SlaObjective>(`/tasks/${enc(id)}/sla/objective`).then((r) => r.data, (e) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e))),
  setSlaObjective: (id: string, o: SlaObjective) => http.put<SlaObjective>(`/tasks/${enc(id)}/sla/objective`, o).then((r) => r.data),
  deleteSlaObjective: (id: string) => http.delete(`/tasks/${enc(id)}/sla/objective`).then(() => undefined),
  /** One task's report, or every task's without `id`; the last period is the one running now. */
  slaReport: (period: SlaPeriod, periods = 1, id?: string) =>
    http.get<SlaReport>(id ? `/tasks/${enc(id)}/sla` : '/sla', { params: { period, periods } }).then((r) => r.data),
  /** The same report as CSV text (fetched with the session's token, so the page can offer it as a file). */
  slaCsv: (period: SlaPeriod, periods = 1) =>
    http.get<string>('/sla', { params: { period, periods, format: 'csv' }, responseType: 'text' }).then((r) => r.data),

  statusPages: () => http.get<{ items: StatusPageDefinition[] }>('/status-pages').then((r) => r.data.items),
  createStatusPage: (p: StatusPageInput) => http.post<StatusPageDefinition>('/status-pages', p).then((r) => r.data),
  updateStatusPage: (id: string, p: StatusPageInput) => http.put<StatusPageDefinition>(`/status-pages/${enc(id)}`, p).then((r) => r.data),
  deleteStatusPage: (id: string) => http.delete(`/status-pages/${enc(id)}`).then(() => undefined),

  silences: () => http.get<{ items: Silence[] }>('/silences').then((r) => r.data.items),
  createSilence: (s: SilenceInput) => http.post<Silence>('/silences', s).then((r) => r.data),
  deleteSilence: (id: string) => http.delete(`/silences/${enc(id)}`).then(() => undefined),
  audit: (params: { actor?: string; objectType?: string; objectId?: string; from?: string; to?: string; limit?: number; offset?: number }) =>
    http.get<AuditPage>('/audit', { params }).then((r) => r.data),

  agentReleases: () => http.get<{ items: AgentRelease[] }>('/agent-releases').then((r) => r.data.items),
  createAgentRelease: (f: AgentReleaseFields) => http.post<AgentRelease>('/agent-releases', f).then((r) => r.data),
  /** One part of the release's jar, at the offset where the stored part ends. */
  uploadAgentReleasePart: (version: string, offset: number, part: Blob) =>
    http.put<AgentRelease>(`/agent-releases/${enc(version)}/artifact`, part, {
      params: { offset }, headers: { 'Content-Type': 'application/octet-stream' },
    }).then((r) => r.data),
  deleteAgentRelease: (version: string) => http.delete(`/agent-releases/${enc(version)}`).then(() => undefined),
  agentRollouts: () => http.get<{ items: AgentRollout[] }>('/agent-rollouts').then((r) => r.data.items),
  createAgentRollout: (f: AgentRolloutFields) => http.post<AgentRollout>('/agent-rollouts', f).then((r) => r.data),
  cancelAgentRollout: (id: string) => http.post<AgentRollout>(`/agent-rollouts/${enc(id)}/cancel`).then((r) => r.data),
}

function enc(id: string): string {
  return encodeURIComponent(id)
}
