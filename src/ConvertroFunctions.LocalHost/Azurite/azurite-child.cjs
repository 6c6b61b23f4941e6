// Runs Azurite as a child process and stops it when the .NET process that started this script
// goes away: that process holds our stdin open, so stdin closing means it exited or was killed.
// Usage: node azurite-child.cjs <path to azurite.js> [azurite arguments...]
'use strict';
const { spawn } = require('node:child_process');

const [script, ...args] = process.argv.slice(2);
const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });

let stopping = false;
function stop() {
  if (stopping || child.exitCode !== null) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 5000).unref();
}

process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
