#!/usr/bin/env node
// The `k` command. All logic lives in ./index (main), so that tests can run it in-process.
import { main } from './index';

// `k ... | head` closes the pipe early: that is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

process.exitCode = await main(process.argv.slice(2));
