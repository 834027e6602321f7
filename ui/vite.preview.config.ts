// The preview harness: `npm run preview:ui` serves the real UI over a fake IPC at /preview/.
// Only for looking at the UI in a browser; `npm run build` never includes it.

import { defineConfig, mergeConfig } from "vite";
import base from "./vite.config.ts";

export default mergeConfig(
  base,
  defineConfig({
    server: { port: 5174, strictPort: true, open: false },
  }),
);
