// The admin pages are for admins only: agents and customers get 404 on every admin GET and
// POST (with a valid CSRF token, so the role gate is what refuses), visitors go to the login,
// and nothing changes in the database.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { sql } from './lib/fixtures.mjs';
import { csrfOf, signedInAs } from './lib/admin.mjs';

const GETS = ['/desk/admin', '/desk/admin/types', '/desk/admin/types/new', '/desk/admin/types/1',
  '/desk/admin/types/1/preview', '/desk/admin/fields/1', '/desk/admin/users', '/desk/admin/users/1',
  '/desk/admin/orgs', '/desk/admin/orgs/1', '/desk/admin/settings', '/desk/admin/outbox',
  '/desk/admin/audit'];
const POSTS = ['/desk/admin/types', '/desk/admin/types/1', '/desk/admin/types/1/move',
  '/desk/admin/types/1/active', '/desk/admin/types/1/delete', '/desk/admin/types/1/fields',
  '/desk/admin/fields/1', '/desk/admin/fields/1/move', '/desk/admin/fields/1/active',
  '/desk/admin/fields/1/remove', '/desk/admin/users/invite', '/desk/admin/users/1/role',
  '/desk/admin/users/1/disable', '/desk/admin/users/1/resend', '/desk/admin/registrations/resend', '/desk/admin/orgs',
  '/desk/admin/orgs/1', '/desk/admin/orgs/1/members', '/desk/admin/orgs/1/members/1/remove',
  '/desk/admin/settings', '/desk/admin/settings/logo', '/desk/admin/settings/testmail',
  '/desk/admin/outbox/1/retry'];

function snapshot(server) {
  // One query per part (group_concat is SQLite's, string_agg PostgreSQL's): rows come back one a line.
  return [
    'SELECT count(*) FROM audit_log WHERE action NOT LIKE \'login%\'',
    'SELECT count(*) FROM settings',
    'SELECT role || disabled FROM users ORDER BY id',
    'SELECT key || active || position FROM request_types ORDER BY id',
    'SELECT count(*) FROM outbox',
  ].map((q) => sql(server, q)).join('/');
}

describe('admin access', () => {
  const srv = useServer();

  for (const role of ['agent', 'customer']) {
    it(`answers 404 to ${role}s on every admin page and action`, async () => {
      const { client } = await signedInAs(srv.server, role);
      const before = snapshot(srv.server);
      for (const url of GETS) {
        const res = await client.get(url);
        assert.equal(res.status, 404, `GET ${url}`);
        assert.doesNotMatch(res.text, /admin-tabs/, url);
      }
      const csrf = await csrfOf(client, '/profile');
      for (const url of POSTS) {
        const res = await client.post(url, { csrf, role: 'admin', name: 'X', key: 'x', active: '1',
          portal_name: 'Gehackt', email: 'x@example.com' });
        assert.equal(res.status, 404, `POST ${url}`);
      }
      assert.equal(snapshot(srv.server), before, 'nothing changed');
    });
  }

  it('sends visitors to the login', async () => {
    const res = await srv.client().get('/desk/admin/settings');
    assert.equal(res.status, 303);
    assert.match(res.location, /^\/login\?next=/);
  });

  it('links the admin overview to every admin part, also those built elsewhere', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    const page = (await client.get('/desk/admin')).text;
    for (const href of ['/desk/admin/types', '/desk/admin/users', '/desk/admin/orgs',
      '/desk/admin/settings', '/desk/admin/outbox', '/desk/admin/audit', '/desk/admin/canned',
      '/desk/admin/sla'])
      assert.match(page, new RegExp(`href="${href}"`), href);
  });

  it('stops cleanly', () => srv.stop());
});
