#!/usr/bin/env node
// Installed, the package runs compiled from dist/; in a checkout, from the TypeScript sources through
// tsx, so a change needs no build step (and a stale dist/ is never run by mistake).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const fromSources = existsSync(join(__dirname, '..', 'cli', 'main.ts'));
if (fromSources) {
  // The checkout's tsconfig maps the package's own name to its sources, from any working directory.
  process.env.TSX_TSCONFIG_PATH ??= join(__dirname, '..', 'tsconfig.json');
  require('tsx/cjs');
}
require(fromSources ? '../cli/main.ts' : '../dist/cli/main.js').main(process.argv);
