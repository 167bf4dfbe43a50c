// proxy: behind a reverse proxy (nginx, HAProxy) the client's address comes from
// X-Forwarded-For - but only when the direct peer is listed in --trusted-proxies, and then
// the right-most entry that is not itself a trusted proxy (what the client wrote further left
// is not believed). The address is what rate limits per IP count and what the log shows.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The ip= of the log line of a request to /healthz (one at a time: the last such line). */
async function loggedIp(server, headers) {
  const before = server.stderr.split('\n').filter((l) => l.includes('path=/healthz ')).length;
  const res = await server.fetch('/healthz', { headers });
  await res.arrayBuffer();
  let lines = [];
  for (let i = 0; i < 50 && lines.length <= before; i++) {
    await sleep(20);
    lines = server.stderr.split('\n').filter((l) => l.includes('path=/healthz '));
  }
  return (lines.at(-1) || '').match(/ ip=(\S+)/)?.[1];
}

describe('X-Forwarded-For from a trusted proxy', () => {
  const srv = useServer({ args: ['--trusted-proxies', '10.9.9.9, 127.0.0.1'] });

  it('takes the right-most address that is not a trusted proxy', async () => {
    const s = srv.server;
    assert.equal(await loggedIp(s, {}), '127.0.0.1', 'no header: the peer');
    assert.equal(await loggedIp(s, { 'X-Forwarded-For': '203.0.113.7' }), '203.0.113.7');
    assert.equal(await loggedIp(s, { 'X-Forwarded-For': '198.51.100.1, 203.0.113.8' }),
      '203.0.113.8', 'what the client claimed further left does not count');
    assert.equal(await loggedIp(s, { 'X-Forwarded-For': '203.0.113.9, 10.9.9.9' }),
      '203.0.113.9', 'a chain of trusted proxies is skipped');
    assert.equal(await loggedIp(s, { 'X-Forwarded-For': '2001:db8::5' }), '2001:db8::5');
    assert.equal(await loggedIp(s, { 'X-Forwarded-For': 'nonsense, 203.0.113.1' }),
      '203.0.113.1');
    assert.equal(await loggedIp(s, { 'X-Forwarded-For': '203.0.113.1, <script>' }),
      '127.0.0.1', 'a malformed address: the peer');
  });

  it('stops cleanly', () => srv.stop());
});

describe('X-Forwarded-For without --trusted-proxies', () => {
  const srv = useServer();

  it('is ignored: the peer address counts', async () => {
    assert.equal(await loggedIp(srv.server, { 'X-Forwarded-For': '203.0.113.7' }), '127.0.0.1');
  });

  it('stops cleanly', () => srv.stop());
});
