// Shapes of the server's JSON (reference-server/src/main/resources/openapi.yaml, docs/result-json.md).

export type Role = 'viewer' | 'operator' | 'admin'
export type Status = 'SUCCESS' | 'FAILURE' | 'TIMEOUT' | 'ERROR'

export interface TokenPair {
  accessToken: string
  refreshToken: string
  expiresIn: number
  tokenType: 'Bearer'
}

export interface Me {
  id: string
  username: string
  role: Role
  via: 'session' | 'api-token'
}

export interface Assertion {
  field: string
  op: string
  value: string | number | boolean
  jsonPointer?: string
}

export type Selector = { all: true } | { agent: string } | { labels: Record<string, string> }

export interface TaskInput {
  id?: string
  name?: string
  type: string
  target: string
  interval: string
  timeout?: string
  jitter?: string
  maxInFlight?: number
  params?: Record<string, unknown>
  assertions?: Assertion[]
  labels?: Record<string, string>
  enabled?: boolean
  selector?: Selector
  revision?: number
}

export interface Task extends TaskInput {
  id: string
  revision: number
  createdBy: string | null
  createdAt: string
  updatedAt: string
}

export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

export interface ProbeResult {
  id: string
  taskId: string
  type: string
  target: string
  status: Status
  startedAt: string
  durationMs: number
  phases: Record<string, number>
  measurements: Record<string, number | null>
  samples: Record<string, (number | null)[]>
  attributes: Record<string, string>
  error?: { kind: string; message: string } | null
  assertions: { assertion: string; passed: boolean; actual: string | null }[]
  labels: Record<string, string>
}

export interface Bucket {
  start: string
  agentId: string
  count: number
  availability: number
  p50: number
  p95: number
  p99: number
  min: number
  max: number
  lossPercentAvg: number | null
}

export interface Aggregates {
  taskId: string
  bucket: string
  from: string
  to: string
  items: Bucket[]
}

export type ParamType = 'string' | 'integer' | 'number' | 'boolean' | 'duration' | 'enum' | 'string_list' | 'string_map'

export interface ParameterSpec {
  name: string
  type: ParamType
  description: string
  default: unknown
  required: boolean
  secret: boolean
  min: number | null
  max: number | null
  allowedValues: string[]
  pattern: string | null
}

export interface Plugin {
  type: string
  displayName: string
  description: string
  version: string
  target: string
  parameters: ParameterSpec[]
}

export interface AgentPolicy {
  allowLoopback?: boolean
  allowPrivate?: boolean
  allow?: string[]
  deny?: string[]
  denyPorts?: { from: number; to: number }[]
}

export interface AgentStats {
  cpuLoad?: number
  systemLoad?: number
  memoryUsedBytes?: number
  memoryMaxBytes?: number
  tasks?: number
  spooledResults?: number
  spooledBytes?: number
  droppedResults?: number
}

export interface Agent {
  id: string
  name: string
  labels: Record<string, string>
  online: boolean
  lastSeen: string | null
  version: string
  plugins: { type: string; version: string }[]
  icmpMode: 'datagram' | 'raw' | 'none' | null
  ipv6: boolean | null
  stats: AgentStats | null
  policy: AgentPolicy
  tasks: string[]
  problems: Record<string, string>
  createdAt: string
  revokedAt: string | null
}

export interface EnrollmentToken {
  id: string
  labels: Record<string, string>
  policy: AgentPolicy
  usesLeft: number
  expiresAt: string
  createdBy: string
  createdAt: string
  revokedAt: string | null
  token?: string
}

export interface InstantAgent {
  agentId: string
  name: string
  labels: Record<string, string>
  result: ProbeResult | null
}

export interface InstantTest {
  id: string
  task: TaskInput
  createdAt: string
  agents: InstantAgent[]
  complete: boolean
}

export interface User {
  id: string
  username: string
  role: Role
  disabled: boolean
  createdAt: string
}

export interface ApiToken {
  id: string
  userId: string
  username: string
  name: string
  role: Role
  createdAt: string
  expiresAt: string | null
  revokedAt: string | null
  lastUsedAt: string | null
  token?: string
}

export interface FieldError {
  field: string
  message: string
}

export interface Problem {
  type: string
  title: string
  status: number
  detail?: string
  errors?: FieldError[]
}

/** Frames pushed on /ws/live. */
export type LiveEvent =
  | { type: 'ready'; user: string; role: Role }
  | { type: 'result'; agentId: string; result: ProbeResult }
  | { type: 'instant'; instantId: string; agentId: string; result: ProbeResult }
  | { type: 'agent'; agentId: string; online: boolean; at: string }
  | { type: 'dropped'; count: number }
  | { type: 'error'; message: string }
