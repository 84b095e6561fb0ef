#!/usr/bin/env node
// Published entry: runs the built CLI. In the repo, use `pnpm localrec …` (runs the TypeScript source).
import { main } from '../dist/index.js';
process.exitCode = await main(process.argv.slice(2));
