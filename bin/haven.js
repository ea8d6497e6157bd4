#!/usr/bin/env node
// The `haven` command. TypeScript is loaded through tsx once at start-up; nothing is compiled per request.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/main.ts');
await main(process.argv.slice(2));
