import { defineStore } from 'pinia'
import { api, type Me, type Role } from '@/api'
import { loadSession } from '@/api/http'
import { live } from '@/api/live'

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 }

export const useAuth = defineStore('auth', {
  state: () => ({ me: null as Me | null }),
  getters: {
    loggedIn: (s) => s.me != null,
    can: (s) => (role: Role) => s.me != null && RANK[s.me.role] >= RANK[role],
  },
  actions: {
    /** Who is logged in, from the stored session; null when there is none or it expired for good. */
    async restore(): Promise<Me | null> {
      if (this.me) return this.me
      if (!loadSession()) return null
      try {
        this.me = await api.me()
      } catch {
        this.me = null
      }
      return this.me
    },
    /** Signs in; true when the password must be changed first. */
    async login(username: string, password: string): Promise<boolean> {
      const mustChange = await api.login(username, password)
      this.me = await api.me()
      return mustChange
    },
    async logout() {
      live.close()
      await api.logout().catch(() => undefined)
      this.me = null
    },
    forget() {
      live.close()
      this.me = null
    },
  },
})
