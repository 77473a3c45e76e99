// The baseline: a bare node:http server that reads the whole body and answers 200.
import http from 'node:http';

const server = http.createServer({ keepAliveTimeout: 5000 }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    Buffer.concat(chunks);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('OK\n');
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening: http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
