import { onBeforeUnmount, onMounted } from 'vue'
import { loadSession } from './http'
import type { LiveEvent } from './types'

type Listener = (e: LiveEvent) => void

/**
 * The /ws/live connection: authenticates with the first frame, reconnects after a drop, and hands every event to
 * the listeners. One socket serves the whole app; pages add a listener and remove it when they unmount.
 */
export class LiveSocket {
  private ws: WebSocket | null = null
  private listeners = new Set<Listener>()
  private taskId: string | null = null
  private retry: ReturnType<typeof setTimeout> | null = null
  private closed = true
  connected = false

  constructor(private readonly url: string = defaultUrl()) {}

  /** Adds a listener (connecting if needed); returns the function that removes it. */
  on(listener: Listener): () => void {
    this.listeners.add(listener)
    this.open()
    return () => {
      this.listeners.delete(listener)
      if (this.listeners.size === 0) this.close()
    }
  }

  /** Narrows task results to one task (instant tests and agent events always come); null for all. */
  subscribe(taskId: string | null): void {
    this.taskId = taskId
    this.send({ type: 'subscribe', taskId })
  }

  private open(): void {
    if (!this.closed) return
    this.closed = false
    this.connect()
  }

  private connect(): void {
    const session = loadSession()
    if (!session) return
    const ws = new WebSocket(this.url)
    this.ws = ws
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'auth', token: session.accessToken }))
    }
    ws.onmessage = (m) => {
      let e: LiveEvent
      try {
        e = JSON.parse(String(m.data)) as LiveEvent
      } catch {
        return
      }
      if (e.type === 'ready') {
        this.connected = true
        if (this.taskId) this.send({ type: 'subscribe', taskId: this.taskId })
      }
      this.listeners.forEach((l) => l(e))
    }
    ws.onclose = () => {
      this.connected = false
      this.ws = null
      if (!this.closed) this.retry = setTimeout(() => this.connect(), 2000)
    }
  }

  private send(msg: object): void {
    if (this.ws?.readyState === WebSocket.OPEN && this.connected) this.ws.send(JSON.stringify(msg))
  }

  close(): void {
    this.closed = true
    if (this.retry) clearTimeout(this.retry)
    this.ws?.close()
    this.ws = null
    this.connected = false
  }
}

function defaultUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${proto}//${location.host}/ws/live`
}

export const live = new LiveSocket()

/**
 * Listens to /ws/live while the calling component is mounted. With a task id, results are narrowed to that task
 * until it unmounts; without, the current narrowing is left alone (a part of a task's page may listen too).
 */
export function useLive(listener: Listener, taskId: string | null = null): void {
  let off: (() => void) | null = null
  onMounted(() => {
    off = live.on(listener)
    if (taskId) live.subscribe(taskId)
  })
  onBeforeUnmount(() => {
    if (taskId) live.subscribe(null)
    off?.()
  })
}
