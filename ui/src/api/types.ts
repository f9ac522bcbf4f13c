// Shapes of the server's JSON, named for the UI. They come from reference-server/src/main/resources/openapi.yaml:
// `npm run gen:api` (run by `npm run dev` and `npm run build`) writes ./openapi.d.ts from it, and the server's
// OpenApiConformanceTest checks its real answers against the same schemas.
import type { components } from './openapi'

type Schemas = components['schemas']

export type Role = Schemas['Role']
export type TokenPair = Schemas['TokenPair']
export type Me = Schemas['Me']
/** One of the caller's live login sessions. */
export type LoginSession = Schemas['Session']

export type Assertion = Schemas['Assertion']
export type Selector = Schemas['Selector']
/** What POST and PUT /tasks take. */
export type TaskInput = Schemas['TaskInput']
/** A task as the server answers it. */
export type Task = Schemas['Task']
export type TaskPage = Schemas['TaskPage']
export type AuditPage = Schemas['AuditPage']
export type AuditEntry = Schemas['AuditEntry']
/** Agent self-update (docs/agent-updates.md). */
export type AgentRelease = Schemas['AgentRelease']
export type AgentReleaseFields = Schemas['AgentReleaseFields']
export type AgentRollout = Schemas['AgentRollout']
export type AgentRolloutFields = Schemas['AgentRolloutFields']

export type ProbeResult = Schemas['Result']
export type Status = ProbeResult['status']
export type ResultPage = Schemas['ResultPage']
/** A stored result and the agent that sent it. */
export type StoredResult = Schemas['StoredResult']
export type Bucket = Schemas['Bucket']
export type Aggregates = Schemas['Aggregates']
/** Per bucket, successful results per latency band (edges in ms) and the failed ones. */
export type Heatmap = Schemas['Heatmap']

export type Plugin = Schemas['Plugin']
export type ParameterSpec = Schemas['ParameterSpec']
export type ParamType = ParameterSpec['type']

/** An address policy as sent: missing fields are false or empty. */
export type AgentPolicyInput = Schemas['AgentPolicyInput']
export type AgentPolicy = Schemas['AgentPolicy']
export type AgentStats = Schemas['AgentStats']
export type Agent = Schemas['Agent']
export type EnrollmentToken = Schemas['EnrollmentToken']
/** The answer to creating an enrollment token: the only one that holds its secret. */
export type NewEnrollmentToken = Schemas['NewEnrollmentToken']

export type InstantTestInput = Schemas['InstantTestInput']
export type InstantTest = Schemas['InstantTest']
export type InstantAgent = Schemas['InstantAgent']

export type User = Schemas['User']
export type ApiToken = Schemas['ApiToken']
/** The answer to creating an API token: the only one that holds its secret. */
export type NewApiToken = Schemas['NewApiToken']

export type AlertCondition = Schemas['AlertCondition']
export type ConditionType = AlertCondition['type']
export type AlertScope = Schemas['AlertScope']
/** Which tasks a rule or silence covers: one task by id, or every task with some labels. */
export type TaskMatch = NonNullable<Schemas['AlertRuleFields']['tasks']>
/** What POST/PUT /alert-rules and /alert-rules/preview take. */
export type AlertRuleInput = Schemas['AlertRuleInput']
export type AlertRule = Schemas['AlertRule']
export type RulePreview = Schemas['RulePreview']
export type PreviewTransition = RulePreview['tasks'][number]['transitions'][number]
export type Incident = Schemas['Incident']
export type IncidentDetail = Schemas['IncidentDetail']
export type IncidentEvent = Schemas['IncidentEvent']
export type ChannelKind = Schemas['ChannelInput']['type']
export type ChannelInput = Schemas['ChannelInput']
/** A channel as read back: secret settings are "******". */
export type Channel = Schemas['Channel']
export type ChannelTest = Schemas['ChannelTest']
export type Delivery = Schemas['Delivery']
export type SilenceInput = Schemas['SilenceInput']
export type Silence = Schemas['Silence']
export type PublicStatusPage = Schemas['PublicStatusPage']
/** What POST and PUT /status-pages take. */
export type StatusPageInput = Schemas['StatusPageFields']
/** A status page as its admin composed it. */
export type StatusPageDefinition = Schemas['StatusPageDefinition']
export type SlaObjective = Schemas['SlaObjective']
export type SlaPeriod = Schemas['SlaReport']['period']
export type SlaReport = Schemas['SlaReport']
export type SlaRow = Schemas['SlaRow']
export type Weekday = NonNullable<Schemas['SilenceWindow']['weekly']>['days'][number]

export type FieldError = Schemas['FieldError']
export type Problem = Schemas['Problem']

/** Frames pushed on /ws/live (a WebSocket, so not in openapi.yaml; see its description). */
export type LiveEvent =
  | { type: 'ready'; user: string; role: Role }
  | { type: 'result'; agentId: string; result: ProbeResult }
  | { type: 'instant'; instantId: string; agentId: string; result: ProbeResult }
  | { type: 'agent'; agentId: string; online: boolean; at: string }
  | { type: 'incident'; incidentId: string; ruleId: string; taskId: string; kind: 'firing' | 'reminder' | 'resolved'; at: string; summary: string; silencedBy: string | null }
  | { type: 'dropped'; count: number }
  | { type: 'error'; message: string }
export type Matrix = Schemas['Matrix']
export type MatrixCell = Schemas['MatrixCell']
