// Admin pages for people: the user list (search, role filter), invitations of agents, role
// changes with the last admin protected, disabling (the account's sessions end at once) and
// enabling, new set-up links, a customer's requests; organizations with members and the
// e-mail domain that makes new customers join; the audit entries of every action.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseForms, textOf, useServer } from './lib/server.mjs';
import { addUser, login, sql } from './lib/fixtures.mjs';
import { linksIn } from './lib/mail.mjs';
import { registerUser } from './lib/accounts.mjs';
import { errorsOf, postForm, signedInAs } from './lib/admin.mjs';

function audit(server, action, subject) {
  return Number(sql(server, `SELECT count(*) FROM audit_log WHERE action = '${action}'` +
    (subject ? ` AND subject = '${subject}'` : '')));
}

describe('admin users', () => {
  const srv = useServer();

  it('lists users with search and role filter', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    addUser(srv.server, 'zora.zimmer@example.com', 'Zora Zimmer');
    addUser(srv.server, 'yannick.agent@example.com', 'Yannick Yilmaz', 'agent');
    let page = (await client.get('/desk/admin/users?q=zimmer')).text;
    assert.match(page, /zora\.zimmer@example\.com/);
    assert.doesNotMatch(page, /yannick/);
    page = (await client.get('/desk/admin/users?role=agent')).text;
    assert.match(page, /yannick\.agent@example\.com/);
    assert.doesNotMatch(page, /zora\.zimmer/);
    page = (await client.get('/desk/admin/users?q=%25')).text; // LIKE wildcards are literal
    assert.doesNotMatch(page, /zora\.zimmer/);
  });

  it('invites an agent with a mailed set-up link; errors in German and English', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    let res = await postForm(client, '/desk/admin/users', '/desk/admin/users/invite',
      { email: 'kaputt', name: '', role: 'agent' });
    assert.equal(res.status, 422);
    assert.match(errorsOf(res.text), /E-Mail-Adresse/);
    const { client: en } = await signedInAs(srv.server, 'admin', { lang: 'en' });
    res = await postForm(en, '/desk/admin/users', '/desk/admin/users/invite',
      { email: 'kaputt', name: 'X', role: 'agent' });
    assert.equal(res.status, 422);
    assert.match(errorsOf(res.text), /e-mail address/i);
    res = await postForm(client, '/desk/admin/users', '/desk/admin/users/invite',
      { email: 'ines.neu@example.com', name: 'Ines Neu', role: 'customer' });
    assert.equal(res.status, 422, 'only agents and admins are invited here');
    res = await postForm(client, '/desk/admin/users', '/desk/admin/users/invite',
      { email: 'ines.neu@example.com', name: 'Ines Neu', role: 'agent' });
    assert.equal(res.status, 303);
    const mail = await srv.server.waitForMail({ to: 'ines.neu@example.com' });
    const link = linksIn(mail).find((l) => l.includes('/register/finish?token='));
    assert.ok(link, 'set-up link');
    const ines = srv.client();
    const done = await ines.submitForm(link.replace(/^https?:\/\/[^/]+/, srv.url),
      { name: 'Ines Neu', password: 'Laterne Zitrone Gewitter Kompass' });
    assert.equal(done.status, 303, textOf(done.text).slice(0, 300));
    assert.equal((await ines.get('/desk')).status, 200, 'the new agent reaches the desk');
    assert.equal(audit(srv.server, 'user_invite', 'ines.neu@example.com'), 1);
  });

  it('changes roles and never removes the last active admin', async () => {
    // only one admin exists in this fresh server
    const server = (await import('./lib/server.mjs')).startServer;
    const s = await server();
    try {
      const { client, id } = await signedInAs(s, 'admin');
      let res = await postForm(client, `/desk/admin/users/${id}`, '/role', { role: 'agent' });
      assert.equal(res.status, 409);
      assert.match(errorsOf(res.text), /letzte aktive Admin/);
      res = await postForm(client, `/desk/admin/users/${id}`, '/disable');
      assert.equal(res.status, 409);
      assert.equal(sql(s, `SELECT role || disabled FROM users WHERE id = ${id}`), 'admin0');
      const other = addUser(s, 'zweite@example.com', 'Zweite Admin', 'customer');
      res = await postForm(client, `/desk/admin/users/${other}`, '/role', { role: 'admin' });
      assert.equal(res.status, 303);
      res = await postForm(client, `/desk/admin/users/${id}`, '/role', { role: 'agent' });
      assert.equal(res.status, 303, 'now there is another admin');
      assert.equal(sql(s, `SELECT role FROM users WHERE id = ${id}`), 'agent');
      assert.equal((await client.get('/desk/admin')).status, 404, 'no longer an admin');
      assert.match(sql(s, "SELECT detail FROM audit_log WHERE action = 'role_change' ORDER BY id"), /customer -> admin\nadmin -> agent/);
    } finally {
      await s.stop();
    }
  });

  it("disabling ends the account's sessions at once; enabling lets it log in again", async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    const victimId = addUser(srv.server, 'viktor@example.com', 'Viktor Kunde');
    const victim = await login(srv.server, 'viktor@example.com');
    assert.equal((await victim.get('/requests')).status, 200);
    const res = await postForm(client, `/desk/admin/users/${victimId}`, '/disable');
    assert.equal(res.status, 303);
    const after = await victim.get('/requests');
    assert.equal(after.status, 303, 'the old cookie no longer signs in');
    assert.match(after.location, /^\/login/);
    assert.equal(sql(srv.server, `SELECT count(*) FROM sessions WHERE user_id = ${victimId}`), '0');
    const page = (await client.get(`/desk/admin/users/${victimId}`)).text;
    assert.match(page, /Gesperrt/);
    const enable = await postForm(client, `/desk/admin/users/${victimId}`, '/disable');
    assert.equal(enable.status, 303);
    await login(srv.server, 'viktor@example.com');
    assert.equal(audit(srv.server, 'user_disable', 'viktor@example.com'), 1);
    assert.equal(audit(srv.server, 'user_enable', 'viktor@example.com'), 1);
  });

  it("shows a customer's requests with links into the desk and resends set-up links", async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    const { client: customer, id } = await signedInAs(srv.server, 'customer');
    const form = parseForms((await customer.get('/new/question')).text).find((f) => f.action === '/new/question');
    const fd = new FormData();
    for (const [k, v] of Object.entries({ ...form.fields, f_summary: 'Frage zum Export', f_description: 'Wie geht das?' }))
      fd.append(k, v);
    const created = await customer.request('POST', '/new/question', { body: fd });
    const key = created.location.match(/\/requests\/([A-Z]+-\d+)/)[1];
    const page = (await client.get(`/desk/admin/users/${id}`)).text;
    assert.match(page, new RegExp(`href="/desk/requests/${key}"`));
    assert.match(page, /Frage zum Export/);
    // an account without password (invited by a participant share) gets a new link
    const pending = Number(sql(srv.server, "INSERT INTO users (email, name, role, lang, created_at, updated_at) VALUES ('offen@example.com', '', 'customer', 'de', 0, 0) RETURNING id"));
    const before = srv.server.mail().length;
    const res = await postForm(client, `/desk/admin/users/${pending}`, '/resend');
    assert.equal(res.status, 303);
    await srv.server.waitForMail({ to: 'offen@example.com' }, { after: before });
    assert.equal(audit(srv.server, 'user_resend', 'offen@example.com'), 1);
    const done = await postForm(client, `/desk/admin/users/${id}`, '/disable');
    assert.equal(done.status, 303);
  });

  it('lists unfinished registrations and sends their link again', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    const visitor = srv.client();
    const sent = await visitor.submitForm('/register', { email: 'halbfertig@example.com' });
    assert.equal(sent.status, 200);
    await srv.server.waitForMail({ to: 'halbfertig@example.com' });
    const page = (await client.get('/desk/admin/users')).text;
    assert.match(page, /Nicht abgeschlossene Registrierungen/);
    assert.match(page, /halbfertig@example\.com/);
    const before = srv.server.mail().filter((m) => m.to.includes('halbfertig@')).length;
    const res = await postForm(client, '/desk/admin/users', '/desk/admin/registrations/resend', { email: 'halbfertig@example.com' });
    assert.equal(res.status, 303);
    await srv.server.waitForMail((m) => m.to.includes('halbfertig@') && srv.server.mail().filter((x) => x.to.includes('halbfertig@')).length > before);
    assert.equal(audit(srv.server, 'registration_resend', 'halbfertig@example.com'), 1);
    // an address with an account or without a registration is not "unfinished"
    const csrf = parseForms(page).find((f) => f.action === '/desk/admin/registrations/resend').fields.csrf;
    assert.equal((await client.post('/desk/admin/registrations/resend', { csrf, email: 'zora.zimmer@example.com' })).status, 404);
    assert.equal((await client.post('/desk/admin/registrations/resend', { csrf, email: 'nie@example.com' })).status, 404);
  });

  it('organizations: create, rename, members by e-mail, domain auto-join', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    let res = await postForm(client, '/desk/admin/orgs', '/desk/admin/orgs', { name: '', email_domain: 'nicht gültig' });
    assert.equal(res.status, 422);
    assert.match(errorsOf(res.text), /Domain wie example\.com/);
    res = await postForm(client, '/desk/admin/orgs', '/desk/admin/orgs', { name: 'Beispiel AG', email_domain: '@Beispiel-AG.example' });
    assert.equal(res.status, 303);
    const orgId = res.location.match(/\/desk\/admin\/orgs\/(\d+)/)[1];
    assert.equal(sql(srv.server, `SELECT email_domain FROM organizations WHERE id = ${orgId}`), 'beispiel-ag.example');
    res = await postForm(client, '/desk/admin/orgs', '/desk/admin/orgs', { name: 'Beispiel AG' });
    assert.equal(res.status, 422, 'name taken');
    res = await postForm(client, `/desk/admin/orgs/${orgId}`, `/desk/admin/orgs/${orgId}`, { name: 'Beispiel Holding AG' });
    assert.equal(res.status, 303);
    assert.equal(sql(srv.server, `SELECT name FROM organizations WHERE id = ${orgId}`), 'Beispiel Holding AG');
    // members by e-mail
    const memberId = addUser(srv.server, 'mia@anders.example', 'Mia Anders');
    res = await postForm(client, `/desk/admin/orgs/${orgId}`, '/members', { email: 'niemand@example.com' });
    assert.equal(res.status, 422);
    assert.match(errorsOf(res.text), /kein Konto/);
    res = await postForm(client, `/desk/admin/orgs/${orgId}`, '/members', { email: 'MIA@anders.example' });
    assert.equal(res.status, 303);
    assert.equal(sql(srv.server, `SELECT organization_id FROM users WHERE id = ${memberId}`), orgId);
    res = await postForm(client, `/desk/admin/orgs/${orgId}`, `/members/${memberId}/remove`);
    assert.equal(res.status, 303);
    assert.equal(sql(srv.server, `SELECT coalesce(organization_id, 0) FROM users WHERE id = ${memberId}`), '0');
    // a new customer with the domain joins by registering
    await registerUser(srv, 'neu@beispiel-ag.example', 'Nina Neu');
    assert.equal(sql(srv.server, "SELECT organization_id FROM users WHERE email = 'neu@beispiel-ag.example'"), orgId);
    for (const action of ['org_create', 'org_update', 'org_member_add', 'org_member_remove'])
      assert.ok(audit(srv.server, action) >= 1, action);
  });

  it('stops cleanly', () => srv.stop());
});
