import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import type { Role } from '@/api'
import { useAuth } from '@/stores/auth'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    role?: Role
    /** Shown without the menu bar (the wall screen). */
    bare?: boolean
  }
}

export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/pages/login/LoginPage.vue'), meta: { public: true } },
  { path: '/', name: 'overview', component: () => import('@/pages/overview/OverviewPage.vue') },
  { path: '/wall', name: 'wall', component: () => import('@/pages/overview/WallPage.vue'), meta: { bare: true } },
  { path: '/tasks', name: 'tasks', component: () => import('@/pages/tasks/TasksPage.vue') },
  { path: '/tasks/:id', name: 'task', component: () => import('@/pages/task-detail/TaskDetailPage.vue'), props: true },
  { path: '/instant', name: 'instant', component: () => import('@/pages/instant/InstantPage.vue') },
  { path: '/agents', name: 'agents', component: () => import('@/pages/agents/AgentsPage.vue') },
  { path: '/users', name: 'users', component: () => import('@/pages/users/UsersPage.vue'), meta: { role: 'admin' } },
  { path: '/agent-updates', name: 'agent-updates', component: () => import('@/pages/agent-updates/AgentUpdatesPage.vue'), meta: { role: 'admin' } },
  { path: '/audit', name: 'audit', component: () => import('@/pages/audit/AuditPage.vue'), meta: { role: 'admin' } },
  { path: '/tokens', name: 'tokens', component: () => import('@/pages/tokens/TokensPage.vue') },
  { path: '/account', name: 'account', component: () => import('@/pages/account/AccountPage.vue') },
  { path: '/sla', name: 'sla', component: () => import('@/pages/sla/SlaPage.vue') },
  { path: '/status-pages', name: 'status-pages', component: () => import('@/pages/status-pages/StatusPagesPage.vue'), meta: { role: 'admin' } },
  { path: '/incidents', name: 'incidents', component: () => import('@/pages/incidents/IncidentsPage.vue') },
  // notifications link here: <vantage.public-url>/incidents/<id>
  { path: '/incidents/:id', name: 'incident', component: () => import('@/pages/incidents/IncidentPage.vue'), props: true },
  { path: '/alert-rules', name: 'rules', component: () => import('@/pages/rules/RulesPage.vue') },
  { path: '/silences', name: 'silences', component: () => import('@/pages/silences/SilencesPage.vue') },
  { path: '/channels', name: 'channels', component: () => import('@/pages/channels/ChannelsPage.vue'), meta: { role: 'admin' } },
  // a public status page: no login, no menu bar (docs/status-pages.md)
  { path: '/status/:slug', name: 'status', component: () => import('@/pages/status/StatusPage.vue'), props: true, meta: { public: true, bare: true } },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  const auth = useAuth()
  const me = await auth.restore()
  if (!me) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  if (to.meta.role && !auth.can(to.meta.role)) return { name: 'overview' }
  return true
})
