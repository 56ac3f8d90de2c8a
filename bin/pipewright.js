#!/usr/bin/env node
// The pipewright command: runs the bundled CLI that `npm ci` builds (the package's prepare script).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`pipewright: ${cli} is missing: run "npm run build" in ${join(__dirname, '..')}\n`);
  process.exit(70);
}
require(cli);
