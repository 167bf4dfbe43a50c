// requests_list: the "Anfragen" overview over HTTP - who sees which requests (created, taking
// part, shared with the organization; agents all; nobody else, also not through search or a
// guessed key), the filters in the URL (scope, status, type, sort, full text), pages by
// keyset with next/previous/first links that keep the filters, status badges in German and
// English, relative and absolute times, and the empty states.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEntities, findByClass, findTags, parseForms, textOf, useServer } from './lib/server.mjs';
import { addUser, login, sql } from './lib/fixtures.mjs';


async function create(client, type, values) {
  const r = await client.submitForm(`/new/${type}`, values, { action: `/new/${type}` });
  assert.equal(r.status, 303, `create: ${r.status} ${textOf(r.text).slice(0, 300)}`);
  return r.location.match(/\/requests\/([A-Z]+-\d+)/)[1];
}

/** The list items of a page: [{key, summary, status, label, meta}] in page order. */
function items(html) {
  const starts = findByClass(html, 'request-item');
  return starts.map((s, i) => {
    const chunk = html.slice(s.index, i + 1 < starts.length ? starts[i + 1].index : html.indexOf('</ul>', s.index));
    const badge = findByClass(chunk, 'status-badge')[0];
    const badgeText = textOf(chunk.slice(badge.index, chunk.indexOf('</span>', badge.index)));
    return {
      key: textOf(chunk.slice(findByClass(chunk, 'request-key')[0].index)).split(' ')[0],
      summary: decodeEntities(chunk.match(/<span class="request-summary">([^<]*)<\/span>/)[1]),
      status: badge.attrs.class.split(/\s+/).find((c) => c.startsWith('status-') && c !== 'status-badge').slice(7),
      label: badgeText,
      meta: textOf(chunk.slice(findByClass(chunk, 'request-meta')[0].index)),
      times: findTags(chunk, 'time'),
    };
  });
}

function link(html, rel) {
  const a = findTags(html, 'a').find((t) => t.attrs.rel === rel);
  return a ? a.attrs.href : undefined;
}

function linkByText(html, text) {
  const re = /<a\b[^>]*href="([^"]*)"[^>]*>([^<]*)<\/a>/g;
  let m;
  while ((m = re.exec(html))) if (textOf(m[2]) === text) return decodeEntities(m[1]);
  return undefined;
}

const keysOf = (html) => items(html).map((i) => i.key);
const summariesOf = (html) => items(html).map((i) => i.summary);

describe('the requests list', () => {
  const srv = useServer();
  let erik, fiona, gustav, agent, erikKeys;

  before(async () => {
    const s = srv.server;
    addUser(s, 'erik@example.com', 'Erik Eins');
    addUser(s, 'fiona@example.com', 'Fiona Zwei');
    addUser(s, 'gustav@example.com', 'Gustav Fremd');
    addUser(s, 'agent2@example.com', 'Agnes Agentin', 'agent');
    const org = sql(s, "INSERT INTO organizations (name, email_domain, created_at) VALUES ('Liste AG', 'liste.example', 0) RETURNING id");
    sql(s, `UPDATE users SET organization_id = ${org} WHERE email IN ('erik@example.com', 'fiona@example.com')`);
    erik = await login(s, 'erik@example.com');
    fiona = await login(s, 'fiona@example.com');
    gustav = await login(s, 'gustav@example.com');
    agent = await login(s, 'agent2@example.com');
    erikKeys = [];
    for (let i = 1; i <= 30; i++)
      erikKeys.push(await create(erik, 'question', { f_summary: `Erik Frage ${String(i).padStart(2, '0')}`,
        f_description: i === 7 ? 'Der Zeitstempel der Lohnabrechnung fehlt' : `Beschreibung ${i}` }));
    // updated_at decides the default order: request i was last updated i minutes after 2025-01-01
    for (let i = 1; i <= 30; i++)
      sql(s, `UPDATE requests SET created_at = ${1735689600 + (31 - i) * 60}, updated_at = ${1735689600 + i * 60} WHERE number = ${erikKeys[i - 1].split('-')[1]}`);
    await create(fiona, 'problem', { f_summary: 'Fiona teilt mit der Firma', f_description: 'Import bricht ab',
      f_product: 'cloud', f_urgency: 'high', share_org: '1' });
    await create(fiona, 'idea', { f_summary: 'Fiona privat', f_description: 'Nur meins' });
    await create(gustav, 'question', { f_summary: 'Gustav fragt Erik', f_description: 'Geheimwort Kaktus',
      participants: 'erik@example.com' });
    await create(gustav, 'question', { f_summary: 'Gustav ganz allein', f_description: 'Geheimwort Kaktus' });
    const statuses = ['in_progress', 'waiting_customer', 'waiting_support', 'resolved', 'closed'];
    statuses.forEach((st, i) => sql(s, `UPDATE requests SET status = '${st}' WHERE number = ${erikKeys[29 - i].split('-')[1]}`));
  });

  it('needs a login', async () => {
    const r = await srv.server.client().get('/requests?status=open');
    assert.equal(r.status, 303);
    assert.equal(r.location, '/login?next=%2Frequests%3Fstatus%3Dopen');
  });

  it('shows 25 requests, newest update first, with key, summary, type, status and times', async () => {
    const r = await erik.get('/requests');
    assert.equal(r.status, 200);
    const list = items(r.text);
    assert.equal(list.length, 25);
    assert.deepEqual(list.slice(0, 2).map((i) => i.summary).sort(), ['Fiona teilt mit der Firma', 'Gustav fragt Erik'],
      'the newest updates first');
    assert.deepEqual(summariesOf(r.text).slice(2, 5), ['Erik Frage 30', 'Erik Frage 29', 'Erik Frage 28']);
    const q30 = list.find((i) => i.summary === 'Erik Frage 30');
    assert.equal(q30.status, 'in_progress');
    assert.equal(q30.label, 'In Bearbeitung');
    assert.match(q30.meta, /Frage zur Bedienung/);
    assert.doesNotMatch(q30.meta, /erstellt von/, 'no "created by" for one\'s own requests');
    assert.match(list.find((i) => i.summary.startsWith('Fiona')).meta, /erstellt von Fiona Zwei/);
    assert.equal(q30.times.length, 1);
    assert.equal(q30.times[0].attrs.datetime, '2025-01-01T00:30:00Z');
    assert.ok('data-local-time' in q30.times[0].attrs);
    assert.match(q30.meta, /aktualisiert .*2025-01-01 00:30 UTC/);
    assert.match(list[0].meta, /aktualisiert (gerade eben|vor 1 Minute)/, 'relative time');
    const labels = Object.fromEntries(list.map((i) => [i.status, i.label]));
    assert.deepEqual(labels, { open: 'Offen', in_progress: 'In Bearbeitung', waiting_customer: 'Wartet auf Kunde',
      waiting_support: 'Wartet auf Support', resolved: 'Gelöst', closed: 'Geschlossen' });
    const links = findTags(r.text, 'a').filter((a) => /^\/requests\/SUP-\d+$/.test(a.attrs.href));
    assert.equal(links.length, 25, 'each item links to its request');
  });

  it('names the statuses in English with ?lang=en', async () => {
    const r = await erik.get('/requests?lang=en');
    const labels = Object.fromEntries(items(r.text).map((i) => [i.status, i.label]));
    assert.deepEqual(labels, { open: 'Open', in_progress: 'In progress', waiting_customer: 'Waiting for customer',
      waiting_support: 'Waiting for support', resolved: 'Resolved', closed: 'Closed' });
    assert.match(textOf(r.text), /created by Fiona Zwei/);
    await erik.get('/requests?lang=de');
  });

  it('pages by keyset: next, previous and first page, nothing twice, nothing lost', async () => {
    const p1 = await erik.get('/requests');
    const next = link(p1.text, 'next');
    assert.match(next, /^\/requests\?after=\d+\.\d+$/);
    assert.equal(link(p1.text, 'prev'), undefined);
    const p2 = await erik.get(next);
    const k1 = keysOf(p1.text), k2 = keysOf(p2.text);
    assert.equal(k2.length, 32 - 25, 'all 32 visible: 30 own, 1 of the organization, 1 taking part');
    assert.equal(new Set([...k1, ...k2]).size, 32, 'no request twice');
    assert.equal(link(p2.text, 'next'), undefined, 'the last page');
    const prev = link(p2.text, 'prev');
    assert.match(prev, /^\/requests\?before=\d+\.\d+$/);
    assert.deepEqual(keysOf((await erik.get(prev)).text), k1, 'previous = the first page again');
    assert.equal(linkByText(p2.text, 'Erste Seite'), '/requests');
    // a cursor past the end: an empty page that leads back
    const end = await erik.get('/requests?after=1.1');
    assert.equal(items(end.text).length, 0);
    assert.match(textOf(end.text), /Keine weiteren Anfragen/);
    // nonsense cursors are the first page
    assert.deepEqual(keysOf((await erik.get('/requests?after=abc')).text), k1);
  });

  it('filters by scope: mine, shared with me, all', async () => {
    const mine = await erik.get('/requests?scope=mine');
    assert.equal(items(mine.text).length, 25);
    assert.ok(summariesOf(mine.text).every((s) => s.startsWith('Erik')));
    const shared = await erik.get('/requests?scope=shared');
    assert.deepEqual(summariesOf(shared.text).sort(), ['Fiona teilt mit der Firma', 'Gustav fragt Erik']);
    const fionaAll = await fiona.get('/requests');
    assert.deepEqual(summariesOf(fionaAll.text).sort(), ['Fiona privat', 'Fiona teilt mit der Firma']);
    const gustavAll = await gustav.get('/requests');
    assert.deepEqual(summariesOf(gustavAll.text).sort(), ['Gustav fragt Erik', 'Gustav ganz allein']);
    // the selected scope shows in the filter form
    const form = parseForms(shared.text).find((f) => f.action === '/requests');
    assert.equal(form.fields.scope, 'shared');
  });

  it('filters by status: open (not yet resolved) and closed (resolved + closed)', async () => {
    const closed = await erik.get('/requests?status=closed&scope=mine');
    assert.deepEqual(items(closed.text).map((i) => i.status).sort(), ['closed', 'resolved']);
    const open = await erik.get('/requests?status=open&scope=mine');
    assert.ok(items(open.text).every((i) => !['closed', 'resolved'].includes(i.status)));
    const all = keysOf((await erik.get(link(open.text, 'next'))).text).length + items(open.text).length;
    assert.equal(all, 28, '30 own minus 2 closed, over two pages');
    assert.match(link(open.text, 'next'), /^\/requests\?scope=mine&status=open&after=/, 'the next link keeps the filters');
  });

  it('filters by type and sorts by creation', async () => {
    const problems = await erik.get('/requests?type=problem');
    assert.deepEqual(summariesOf(problems.text), ['Fiona teilt mit der Firma']);
    const created = await erik.get('/requests?sort=created&scope=mine');
    // created_at runs the other way round than updated_at for Erik's requests
    assert.deepEqual(summariesOf(created.text).slice(0, 3), ['Erik Frage 01', 'Erik Frage 02', 'Erik Frage 03']);
    const p2 = await erik.get(link(created.text, 'next'));
    assert.deepEqual(summariesOf(p2.text), ['Erik Frage 26', 'Erik Frage 27', 'Erik Frage 28', 'Erik Frage 29', 'Erik Frage 30']);
    assert.match(textOf(created.text), /erstellt .*2025-01-01 00:30 UTC/);
    // an unknown type or sort is ignored rather than an error
    assert.equal(items((await erik.get('/requests?type=nosuch&sort=weird')).text).length, 25);
  });

  it('searches summary and description, only among what the viewer may see', async () => {
    const r = await erik.get('/requests?q=lohnabrechnung');
    assert.deepEqual(summariesOf(r.text), ['Erik Frage 07']);
    assert.deepEqual(summariesOf((await erik.get('/requests?q=Zeitstemp')).text), ['Erik Frage 07'], 'prefixes match');
    assert.deepEqual(summariesOf((await erik.get('/requests?q=Kaktus')).text), ['Gustav fragt Erik'],
      'Gustav\'s other request with the word stays hidden');
    assert.equal(items((await fiona.get('/requests?q=Kaktus')).text).length, 0);
    assert.deepEqual(summariesOf((await fiona.get('/requests?q=import+bricht')).text), ['Fiona teilt mit der Firma']);
    // FTS syntax is not interpreted
    for (const q of ['"', 'NOT', 'a OR', 'summary:x', '*', '(', 'NEAR(a b)'])
      assert.equal((await erik.get(`/requests?q=${encodeURIComponent(q)}`)).status, 200, q);
    const none = await erik.get('/requests?q=Quastenflosser');
    assert.equal(items(none.text).length, 0);
    assert.match(textOf(none.text), /Keine passenden Anfragen/);
    assert.equal(linkByText(none.text, 'Filter zurücksetzen'), '/requests');
    const form = parseForms(none.text).find((f) => f.action === '/requests');
    assert.equal(form.fields.q, 'Quastenflosser', 'the search stays in the box');
  });

  it('shows agents every request', async () => {
    const r = await agent.get('/requests');
    const k1 = keysOf(r.text);
    const k2 = keysOf((await agent.get(link(r.text, 'next'))).text);
    assert.equal(k1.length + k2.length, 34);
    assert.deepEqual(summariesOf((await agent.get('/requests?q=Kaktus')).text).sort(), ['Gustav fragt Erik', 'Gustav ganz allein']);
  });

  it('answers 404 for requests one may not see, and for guessed keys', async () => {
    const gustavs = sql(srv.server, "SELECT number FROM requests WHERE summary = 'Gustav ganz allein'");
    assert.equal((await erik.get(`/requests/SUP-${gustavs}`)).status, 404);
    assert.equal((await fiona.get(`/requests/${erikKeys[0]}`)).status, 404);
    const fionasShared = sql(srv.server, "SELECT number FROM requests WHERE summary = 'Fiona teilt mit der Firma'");
    assert.equal((await erik.get(`/requests/SUP-${fionasShared}`)).status, 200, 'shared with the organization');
    const participant = sql(srv.server, "SELECT number FROM requests WHERE summary = 'Gustav fragt Erik'");
    assert.equal((await erik.get(`/requests/SUP-${participant}`)).status, 200, 'taking part');
    for (const k of ['SUP-99999', 'SUP-0', `SUP-0${gustavs}`, 'XYZ-1', 'SUP-', 'SUP-1%27'])
      assert.equal((await erik.get(`/requests/${k}`)).status, 404, k);
    const own = await erik.get(`/requests/${erikKeys[0].toLowerCase()}`);
    assert.ok([200, 301, 303, 308].includes(own.status), `keys are case-insensitive: ${own.status}`);
  });

  it('helps a customer without requests: the request types to start with', async () => {
    addUser(srv.server, 'hanna@example.com', 'Hanna Neu');
    const hanna = await login(srv.server, 'hanna@example.com');
    const r = await hanna.get('/requests');
    assert.equal(r.status, 200);
    assert.match(textOf(r.text), /Noch keine Anfragen/);
    const starts = findTags(r.text, 'a').map((a) => a.attrs.href).filter((h) => h.startsWith('/new/'));
    assert.deepEqual(starts, ['/new/problem', '/new/import', '/new/question', '/new/licence', '/new/idea', '/new/other']);
    const filtered = await hanna.get('/requests?status=closed');
    assert.match(textOf(filtered.text), /Keine passenden Anfragen/);
  });

  it('returns to the filtered list after the login it asked for', async () => {
    const anon = srv.server.client();
    const r = await anon.get('/requests?status=open&q=Lohn&lang=en');
    assert.equal(r.status, 303);
    assert.equal(r.location, '/login?next=%2Frequests%3Fstatus%3Dopen%26q%3DLohn');
    const c = await login(srv.server, 'erik@example.com', '/requests?status=open&q=Lohn');
    assert.equal(c.loginLocation, '/requests?status=open&q=Lohn');
  });

  it('stops cleanly', () => srv.stop());
});
