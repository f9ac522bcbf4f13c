import { onBeforeUnmount, onMounted, ref } from 'vue'

/** The time, refreshed every `everyMs` while the calling component is mounted (for durations that keep running). */
export function useNow(everyMs = 5000) {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | null = null
  onMounted(() => (timer = setInterval(() => (now.value = Date.now()), everyMs)))
  onBeforeUnmount(() => timer && clearInterval(timer))
  return now
}
