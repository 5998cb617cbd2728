/**
 * The operator console's build (infra/build.mjs runs it into dist/console; `npx vite console` serves
 * it for development with the API calls proxied to a running host on API_URL, default :8080).
 * Preact through the automatic JSX runtime: no framework plugin needed.
 */
import { defineConfig } from 'vite';

const api = process.env.API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  // relative asset URLs: the console also works behind a proxy that mounts the host under a path
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  build: {
    target: 'es2022',
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    chunkSizeWarningLimit: 200,
  },
  server: {
    // every API URI is POST /<Uri> (capitalised); GET /Events is the live stream (issue 13)
    proxy: { '^/[A-Z][A-Za-z0-9]*$': { target: api, changeOrigin: false } },
    fs: { allow: ['..'] },
  },
});
