// Entry for running the CLI from source in the monorepo (`pnpm localrec …`).
import { main } from './cli.js';
process.exitCode = await main(process.argv.slice(2));
