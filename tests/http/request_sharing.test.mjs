// request_sharing: sharing a request from its page - with a known person (participant + mail),
// with an address without account (customer account without password + invitation whose
// link finishes the registration and lands on the request), removing people one added,
// leaving, and sharing with the reporter's organization and stopping it. Whoever loses
// access gets 404.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { parseForms, textOf, useServer } from './lib/server.mjs';
import { PASSWORD, addUser, login, sql } from './lib/fixtures.mjs';
import { linksIn } from './lib/mail.mjs';


async function createRequest(client, summary) {
  const r = await client.submitForm('/new/question', { f_summary: summary, f_description: 'How does it work?' },
    { action: '/new/' });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  return r.location.match(/\/requests\/([A-Z]+-\d+)/)[1];
}

async function pageForm(client, key, suffix) {
  const page = await client.get(`/requests/${key}`);
  assert.equal(page.status, 200);
  return parseForms(page.text).find((f) => f.action.endsWith(suffix));
}

async function share(client, key, email) {
  const form = await pageForm(client, key, '/participants');
  return client.post(form.action, { ...form.fields, email });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('sharing a request', () => {
  const srv = useServer();
  let carla, dora, gina, key;

  before(async () => {
    const s = srv.server;
    addUser(s, 'carla@example.com', 'Carla Kunde');
    addUser(s, 'dora@example.com', 'Dora Kollegin');
    addUser(s, 'gina@muster-handel.example', 'Gina Gleichefirma');
    const org = sql(s, "SELECT id FROM organizations WHERE name = 'Muster Handels GmbH'");
    sql(s, `UPDATE users SET organization_id = ${org} WHERE email IN ('carla@example.com', 'gina@muster-handel.example')`);
    carla = await login(s, 'carla@example.com');
    dora = await login(s, 'dora@example.com');
    gina = await login(s, 'gina@muster-handel.example');
    key = await createRequest(carla, 'Where is the dunning run?');
  });

  it('shares with a known person: participant, activity entry and a mail', async () => {
    assert.equal((await dora.get(`/requests/${key}`)).status, 404, 'not shared yet');
    const before = srv.server.mail().length;
    const r = await share(carla, key, '  Dora@Example.com ');
    assert.equal(r.status, 303);
    const page = await carla.get(r.location.replace(/#.*/, ''));
    const text = textOf(page.text);
    assert.match(text, /Die Anfrage wurde geteilt/);
    assert.match(text, /Carla Kunde hat die Anfrage mit Dora Kollegin geteilt/);
    assert.match(text, /Dora Kollegin dora@example\.com/);
    const mail = await srv.server.waitForMail({ to: 'dora@example.com', subject: `[${key}]` }, { after: before });
    assert.match(mail.text, /Carla Kunde hat die Anfrage .* mit Ihnen geteilt/s);
    assert.ok(linksIn(mail).some((l) => l.endsWith(`/requests/${key}`)));
    assert.equal((await dora.get(`/requests/${key}`)).status, 200, 'the participant sees it');
  });

  it('refuses a second share and bad addresses with a message, keeping the input', async () => {
    let r = await share(carla, key, 'dora@example.com');
    assert.equal(r.status, 422);
    assert.match(textOf(r.text), /Diese Person ist bereits an der Anfrage beteiligt/);
    r = await share(carla, key, 'carla@example.com');
    assert.equal(r.status, 422, 'the reporter takes part already');
    r = await share(carla, key, 'not an address');
    assert.equal(r.status, 422);
    assert.match(textOf(r.text), /gültige E-Mail-Adresse/);
    assert.equal(parseForms(r.text).find((f) => f.action.endsWith('/participants')).fields.email, 'not an address');
    r = await share(carla, key, '');
    assert.equal(r.status, 422);
    assert.match(textOf(r.text), /Bitte geben Sie die E-Mail-Adresse der Person ein/);
  });

  it('lets only whoever added a participant remove them; removed people get 404', async () => {
    const doraId = sql(srv.server, "SELECT id FROM users WHERE email = 'dora@example.com'");
    await share(carla, key, 'gina@muster-handel.example');
    const ginaId = sql(srv.server, "SELECT id FROM users WHERE email = 'gina@muster-handel.example'");
    const csrf = (await pageForm(dora, key, '/participants')).fields.csrf;
    const r = await dora.post(`/requests/${key}/participants/${ginaId}/remove`, { csrf });
    assert.equal(r.status, 404, 'dora did not add gina');
    assert.equal((await gina.get(`/requests/${key}`)).status, 200);
    const carlaCsrf = (await pageForm(carla, key, '/participants')).fields.csrf;
    const reporterId = sql(srv.server, "SELECT id FROM users WHERE email = 'carla@example.com'");
    assert.equal((await dora.post(`/requests/${key}/participants/${reporterId}/remove`, { csrf })).status, 404,
      'nobody removes the reporter');
    const removed = await carla.post(`/requests/${key}/participants/${ginaId}/remove`, { csrf: carlaCsrf });
    assert.equal(removed.status, 303);
    assert.equal((await gina.get(`/requests/${key}`)).status, 404, 'removed: no access');
    const page = await carla.get(removed.location.replace(/#.*/, ''));
    assert.match(textOf(page.text), /Carla Kunde hat gina@muster-handel\.example aus der Anfrage entfernt/);
    assert.match(textOf(page.text), /Die Person ist nicht mehr an der Anfrage beteiligt/);
    const left = await dora.post(`/requests/${key}/participants/${doraId}/remove`, { csrf });
    assert.equal(left.status, 303, 'a participant may leave');
    assert.equal(left.location, '/requests');
    assert.equal((await dora.get(`/requests/${key}`)).status, 404);
    assert.match(textOf((await carla.get(`/requests/${key}`)).text), /Dora Kollegin ist nicht mehr an der Anfrage beteiligt/);
  });

  it('invites an address without account: mail -> registration -> the request', async () => {
    const before = srv.server.mail().length;
    const r = await share(carla, key, 'neu.kunde@example.org');
    assert.equal(r.status, 303);
    const page = await carla.get(`/requests/${key}`);
    assert.match(textOf(page.text), /neu\.kunde@example\.org Eingeladen/);
    const mail = await srv.server.waitForMail({ to: 'neu.kunde@example.org' }, { after: before });
    assert.match(mail.subject, new RegExp(`Carla Kunde hat die Anfrage ${key} mit Ihnen geteilt`));
    assert.match(mail.text, /Where is the dunning run\?/);
    const link = linksIn(mail).find((l) => l.includes('/register/finish?token='));
    assert.ok(link, 'invitation link');
    const invited = srv.server.client();
    const form = await invited.get(link);
    assert.equal(form.status, 200);
    const fields = parseForms(form.text).find((f) => f.action === '/register/finish').fields;
    const done = await invited.post('/register/finish', { ...fields, name: 'Nina Neu', password: PASSWORD });
    assert.equal(done.status, 303);
    assert.equal(done.location, `/requests/${key}`, 'lands on the request');
    const view = await invited.get(done.location);
    assert.equal(view.status, 200);
    assert.match(textOf(view.text), /Where is the dunning run\?/);
    assert.match(textOf(view.text), /Nina Neu \(Sie\)/);
    assert.doesNotMatch(textOf(view.text), /Nina Neu \(Sie\) neu\.kunde@example\.org Eingeladen/);
    assert.equal((await invited.get(link)).status, 410, 'the link works once');
  });

  it('shares with the reporter\'s organization and stops again (reporter only)', async () => {
    const other = await createRequest(carla, 'Licence renewal for 2027');
    assert.equal((await gina.get(`/requests/${other}`)).status, 404);
    const ginaCsrf = parseForms((await gina.get('/profile')).text).find((f) => f.fields.csrf).fields.csrf;
    const form = await pageForm(carla, other, '/organization');
    assert.equal(form.fields.share, '1');
    let r = await carla.post(form.action, form.fields);
    assert.equal(r.status, 303);
    let page = await carla.get(r.location.replace(/#.*/, ''));
    assert.match(textOf(page.text), /Die Anfrage ist jetzt mit Ihrer Organisation geteilt/);
    assert.match(textOf(page.text), /Geteilt mit allen bei Muster Handels GmbH/);
    assert.match(textOf(page.text), /Carla Kunde hat die Anfrage mit allen bei Muster Handels GmbH geteilt/);
    const seen = await gina.get(`/requests/${other}`);
    assert.equal(seen.status, 200, 'a colleague sees it now');
    assert.ok(!parseForms(seen.text).some((f) => f.action.endsWith('/organization')), 'no org button for her');
    assert.equal((await gina.post(`/requests/${other}/organization`, { csrf: ginaCsrf, share: '0' })).status, 404,
      'only the reporter stops sharing');
    const stop = await pageForm(carla, other, '/organization');
    assert.equal(stop.fields.share, '0');
    r = await carla.post(stop.action, stop.fields);
    assert.equal(r.status, 303);
    page = await carla.get(r.location.replace(/#.*/, ''));
    assert.match(textOf(page.text), /Carla Kunde teilt die Anfrage nicht mehr mit Muster Handels GmbH/);
    assert.equal((await gina.get(`/requests/${other}`)).status, 404, 'no longer visible to her');
  });

  it('offers no organization sharing to someone without organization', async () => {
    const own = await createRequest(dora, 'Dora alone');
    const page = await dora.get(`/requests/${own}`);
    assert.ok(!parseForms(page.text).some((f) => f.action.endsWith('/organization')));
    const csrf = parseForms(page.text).find((f) => f.action.endsWith('/participants')).fields.csrf;
    assert.equal((await dora.post(`/requests/${own}/organization`, { csrf, share: '1' })).status, 404);
    await sleep(10);
  });

  it('stops cleanly', () => srv.stop());
});
