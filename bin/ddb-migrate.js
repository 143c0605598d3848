#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so users need no build step.
require('tsx/cjs');
require('../cli/main.ts').main(process.argv);
