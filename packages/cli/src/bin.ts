#!/usr/bin/env node
// The `k` command. All logic lives in ./index (main), so that tests can run it in-process.
import { main } from './index';

process.exitCode = await main(process.argv.slice(2));
