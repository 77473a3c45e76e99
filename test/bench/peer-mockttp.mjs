// mockttp answering POST /meta with 200, installed at bench time into a temp prefix (argv[2]).
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.argv[2], 'node_modules/'));
const { getLocal } = require('mockttp');
const server = getLocal({ recordTraffic: false });
await server.start();
await server.forPost('/meta').thenReply(200, 'OK\n', { 'content-type': 'text/plain' });
process.stdout.write(`listening: http://127.0.0.1:${server.port}\n`);
process.on('SIGTERM', () => server.stop().finally(() => process.exit(0)));
