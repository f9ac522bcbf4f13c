import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { setSessionLostHandler } from './api/http'
import { useAuth } from './stores/auth'
import './style.css'

const app = createApp(App).use(createPinia()).use(router).use(i18n).use(ElementPlus)
setSessionLostHandler(() => {
  useAuth().forget()
  if (router.currentRoute.value.name !== 'login') router.push({ name: 'login' })
})
app.mount('#app')
