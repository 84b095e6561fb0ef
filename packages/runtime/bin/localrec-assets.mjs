#!/usr/bin/env node
// Published entry: copies this package's served files (and a model) into an app's public folder.
// In the repo, after `pnpm build`: `node packages/runtime/bin/localrec-assets.mjs <target> …`.
import { fileURLToPath } from 'node:url';
import { main } from '../dist/cli/assets.js';
process.exitCode = await main(process.argv.slice(2), { runtimeDir: fileURLToPath(new URL('../dist/', import.meta.url)) });
