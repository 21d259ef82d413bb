import { resolve } from 'node:path'

import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'

import { CONTENT_SECURITY_POLICY_META } from './src/shared/csp'

/**
 * Adds the Content-Security-Policy as a meta tag to the built page. The app:// protocol handler and
 * the browser shell also send it as a header; the meta tag keeps a page opened any other way locked.
 * Build only: the dev server needs an inline React Refresh preamble.
 */
function cspMetaTag(): Plugin {
  return {
    name: 'cax-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY_META },
        injectTo: 'head-prepend'
      }
    ]
  }
}

/**
 * The window's and its workers' bundles are minified (electron-vite leaves them as written): the
 * page parses and compiles about half the bytes before the first rows (issue 11). Function and
 * class names are kept, so CPU profiles (CAX_BENCH_PROFILE=1) and error names stay readable.
 */
const RENDERER_MINIFY = {
  compress: { keepNames: { function: true, class: true } },
  mangle: { keepNames: { function: true, class: true } }
}

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          web: resolve('src/main/web/start.ts'),
          // Tests only (the demo emulator's /_test surface open); not packaged: electron-builder.yml.
          'web-test-hooks': resolve('src/main/web/start-with-test-hooks.ts'),
          emulator: resolve('src/emulator/start.ts'),
          cli: resolve('src/cli/index.ts'),
          // The import's normalize workers (worker_threads; found by findImportWorker).
          'import-worker': resolve('src/main/services/import/normalize-worker.ts')
        }
      }
    }
  },
  preload: {
    build: {
      // Electron security checklist #4: a sandboxed preload cannot require npm packages or load ESM,
      // so it is bundled into one CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve('src/renderer'),
    build: {
      minify: 'oxc',
      // One bundle for the window on purpose (loaded from disk or localhost, not a network).
      chunkSizeWarningLimit: 2048,
      rollupOptions: {
        input: { index: resolve('src/renderer/index.html') },
        output: { minify: RENDERER_MINIFY }
      }
    },
    worker: { rolldownOptions: { output: { minify: RENDERER_MINIFY } } },
    plugins: [react(), cspMetaTag()]
  }
})
