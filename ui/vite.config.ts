import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath } from 'node:url'

// `npm run dev` proxies the API to a server on :8080 (VANTAGE_DEV_SERVER=http://127.0.0.1:PORT for another one); the
// production build is served by the server itself.
const server = process.env.VANTAGE_DEV_SERVER ?? 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    outDir: 'target/dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    // a slow plugin on a busy build machine is not a warning the build should print
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    proxy: {
      '/api': server,
      '/ws': { target: server.replace(/^http/, 'ws'), ws: true },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
    css: false,
    setupFiles: ['tests/setup.ts'],
  },
})
