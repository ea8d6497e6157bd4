import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * The agent workspace is served by Haven itself under /agent/. Assets are content-hashed (cached for a year);
 * each also gets .br and .gz siblings so the server sends them compressed without compressing per request.
 */
function precompress(): Plugin {
  return {
    name: 'haven-precompress',
    apply: 'build',
    closeBundle() {
      const dir = path.resolve(import.meta.dirname, 'dist', 'assets');
      for (const name of readdirSync(dir)) {
        if (!/\.(js|css|svg)$/.test(name)) continue;
        const bytes = readFileSync(path.join(dir, name));
        writeFileSync(path.join(dir, `${name}.gz`), gzipSync(bytes, { level: 9 }));
        writeFileSync(path.join(dir, `${name}.br`), brotliCompressSync(bytes));
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/agent/',
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    sourcemap: false,
  },
});
