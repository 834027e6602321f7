// The production build: index.html → dist/, which tauri.conf.json serves as frontendDist.
// The preview harness (preview/) is not an input here, so it never reaches dist/.

import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
  },
});
