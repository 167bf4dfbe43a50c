// The desk's role gate: visitors are sent to the login, customers get 404 on every desk URL,
// agents reach the queues and reports but not the admin pages, admins reach everything.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { addUser, login } from './lib/fixtures.mjs';

const AGENT_URLS = ['/desk', '/desk/reports'];
const ADMIN_URLS = ['/desk/admin'];

describe('desk access', () => {
  const srv = useServer();

  it('sends visitors who are not signed in to the login', async () => {
    const res = await srv.client().get('/desk');
    assert.equal(res.status, 303);
    assert.match(res.location, /^\/login\?next=%2Fdesk/);
  });

  it('answers 404 to customers on every desk URL', async () => {
    addUser(srv.server, 'kunde@example.com', 'Karla Kunde');
    const c = await login(srv.server, 'kunde@example.com');
    for (const url of [...AGENT_URLS, ...ADMIN_URLS]) {
      const res = await c.get(url);
      assert.equal(res.status, 404, url);
      assert.doesNotMatch(res.text, /desk-nav/, url);
    }
    const home = (await c.get('/')).text;
    assert.doesNotMatch(home, /href="\/desk"/);
  });

  it('lets agents into the queues and reports but not the admin pages', async () => {
    addUser(srv.server, 'agent@example.com', 'Alex Agent', 'agent');
    const c = await login(srv.server, 'agent@example.com');
    for (const url of AGENT_URLS) assert.equal((await c.get(url)).status, 200, url);
    for (const url of ADMIN_URLS) assert.equal((await c.get(url)).status, 404, url);
    const desk = (await c.get('/desk')).text;
    assert.match(desk, /class="desk-nav"/);
    assert.doesNotMatch(desk, /href="\/desk\/admin"/);
    const home = (await c.get('/')).text;
    assert.match(home, /href="\/desk"/);
  });

  it('lets admins in everywhere', async () => {
    addUser(srv.server, 'admin@example.com', 'Ada Admin', 'admin');
    const c = await login(srv.server, 'admin@example.com');
    for (const url of [...AGENT_URLS, ...ADMIN_URLS]) assert.equal((await c.get(url)).status, 200, url);
    assert.match((await c.get('/desk')).text, /href="\/desk\/admin"/);
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});
