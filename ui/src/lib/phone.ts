import { onBeforeUnmount, onMounted, ref } from 'vue'

/** Phone-sized: the width below which style.css hides `.hide-phone` and pages show cards instead of tables. */
const PHONE = '(max-width: 640px)'

/** Whether the window is phone-sized now, following rotations and resizes while the component is mounted. */
export function usePhone() {
  const query = window.matchMedia(PHONE)
  const phone = ref(query.matches)
  const follow = (e: MediaQueryListEvent) => (phone.value = e.matches)
  onMounted(() => query.addEventListener('change', follow))
  onBeforeUnmount(() => query.removeEventListener('change', follow))
  return phone
}
