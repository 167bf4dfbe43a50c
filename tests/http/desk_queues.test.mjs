// desk_queues: the agents' queues over HTTP - which request belongs in which queue (unassigned,
// mine, all open, waiting for customer / support, recently resolved) and the live counts in
// the menu; each filter (type, priority, the customer's organization, assignee, full text) and
// sort (last update both ways, created, priority); keyset pages beyond page 1 whose links keep
// queue, filters and sort; the rows' content in German and English; customers get 404; and
// internal notes are never found by a search - not in the customers' list, nor in the desk
// (the desk searches the same index, which holds public text only).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEntities, findTags, parseForms, textOf, useServer } from './lib/server.mjs';
import { addUser, login, sql } from './lib/fixtures.mjs';

async function create(client, type, values) {
  const r = await client.submitForm(`/new/${type}`, values, { action: `/new/${type}` });
  assert.equal(r.status, 303, `create: ${r.status} ${textOf(r.text).slice(0, 300)}`);
  return r.location.match(/\/requests\/([A-Z]+-\d+)/)[1];
}

/** The queue table's rows: [{key, href, summary, customer, org, type, status, priority, label, assignee, time}]. */
function rows(html) {
  const out = [];
  const re = /<tr class="queue-row" data-key="([^"]+)">([\s\S]*?)<\/tr>/g;
  let m;
  while ((m = re.exec(html))) {
    const row = m[2];
    const cell = (cls) => {
      const c = row.match(new RegExp(`<td class="${cls}">([\\s\\S]*?)</td>`));
      return c ? c[1] : '';
    };
    const withoutLabel = (cls) => textOf(cell(cls).replace(/<span class="q-label">[^<]*<\/span>/, ''));
    out.push({
      key: m[1],
      href: findTags(cell('q-request'), 'a')[0].attrs.href,
      summary: decodeEntities(row.match(/<span class="q-summary">([^<]*)<\/span>/)[1]),
      customer: decodeEntities((cell('q-customer').match(/<span class="q-person"[^>]*>([^<]*)<\/span>/) || [])[1] || ''),
      org: decodeEntities((cell('q-customer').match(/<span class="q-org">([^<]*)<\/span>/) || [])[1] || ''),
      type: textOf((cell('q-request').match(/<span class="q-type">([^<]*)<\/span>/) || [])[1] || ''),
      status: (row.match(/status-badge status-([a-z_]+)/) || [])[1],
      priority: (row.match(/priority-badge priority-([a-z]+)/) || [])[1],
      label: textOf((cell('q-priority').match(/<span class="badge[^>]*>([^<]*)<\/span>/) || [])[1] || ''),
      assignee: withoutLabel('q-assignee'),
      time: findTags(cell('q-when'), 'time')[0]?.attrs.datetime,
    });
  }
  return out;
}

/** The menu: {queueKey: {count, href, current}}. */
function menu(html) {
  const out = {};
  for (const a of findTags(html, 'a').filter((t) => t.attrs['data-queue'])) {
    const count = html.slice(a.index).match(/data-count="(\d+)"/)[1];
    out[a.attrs['data-queue']] = { count: Number(count), href: a.attrs.href, current: a.attrs['aria-current'] === 'page' };
  }
  return out;
}

function link(html, rel) {
  const a = findTags(html, 'a').find((t) => t.attrs.rel === rel);
  return a ? a.attrs.href : undefined;
}

const NOW = () => Math.floor(Date.now() / 1000);

describe('the desk queues', () => {
  const srv = useServer();
  let alex, bea, kunde, alexId, beaId, orgId;
  const R = {}; // name -> key

  const page = async (client, query) => {
    const r = await client.get(`/desk${query}`);
    assert.equal(r.status, 200, `/desk${query}`);
    return r.text;
  };
  const summaries = async (client, query) => rows(await page(client, query)).map((r) => r.summary);
  const set = (key, assignments) => sql(srv.server, `UPDATE requests SET ${assignments} WHERE number = ${key.split('-')[1]}`);

  before(async () => {
    const s = srv.server;
    const k1 = addUser(s, 'klara@example.com', 'Klara Kundin');
    addUser(s, 'kurt@example.com', 'Kurt Ohnefirma');
    alexId = addUser(s, 'alex@example.com', 'Alex Agent', 'agent');
    beaId = addUser(s, 'bea@example.com', 'Bea Bearbeiterin', 'admin');
    orgId = sql(s, "INSERT INTO organizations (name, created_at) VALUES ('Queue AG', 0) RETURNING id");
    sql(s, `UPDATE users SET organization_id = ${orgId} WHERE id = ${k1}`);
    kunde = await login(s, 'klara@example.com');
    const kurt = await login(s, 'kurt@example.com');
    alex = await login(s, 'alex@example.com');
    bea = await login(s, 'bea@example.com');
    const plan = [
      // name, client, type, status, assignee, priority, resolved days ago
      ['open', kunde, 'question', 'open', null, 'high'],
      ['progress', kurt, 'idea', 'in_progress', alexId, 'critical'],
      ['waitcust', kunde, 'question', 'waiting_customer', beaId, 'low'],
      ['waitsup', kurt, 'question', 'waiting_support', null, 'medium'],
      ['resolved', kunde, 'idea', 'resolved', alexId, 'medium', 1],
      ['closedold', kurt, 'question', 'closed', null, 'low', 10],
      ['waitsup2', kurt, 'question', 'waiting_support', alexId, 'high'],
    ];
    const base = NOW() - 3 * 3600;
    for (const [i, [name, client, type, status, assignee, priority, resolvedDays]] of plan.entries()) {
      R[name] = await create(client, type, { f_summary: `Warteschlange ${name}`, f_description: `Beschreibung ${name} Vergaserdichtung` });
      const resolvedAt = resolvedDays ? NOW() - resolvedDays * 86400 : null;
      // updated: in plan order, oldest first; created: the other way round
      const updated = resolvedAt ?? base + i * 60;
      // the SLA columns are set by hand (and marked current, so the SLA pass leaves them):
      // waitsup2 is overdue, resolved would be too but is no longer open
      const attention = name === 'waitsup2' || name === 'resolved' ? NOW() - 600 : 'NULL';
      set(R[name], `status = '${status}', assignee_id = ${assignee ?? 'NULL'}, priority = '${priority}', ` +
        `created_at = ${base - i * 60}, updated_at = ${updated}, resolved_at = ${resolvedAt ?? 'NULL'}, ` +
        `sla_attention_at = ${attention}, sla_updated_at = ${updated}`);
    }
  });

  it('puts every request in its queues and counts them in the menu', async () => {
    const expect = {
      unassigned: ['waitsup', 'open'],
      mine: ['waitsup2', 'progress'],
      open: ['waitsup2', 'waitsup', 'waitcust', 'progress', 'open'],
      'waiting-customer': ['waitcust'],
      'waiting-support': ['waitsup2', 'waitsup'],
      sla: ['waitsup2'],
      resolved: ['resolved'],
    };
    const html = await page(alex, '');
    const m = menu(html);
    assert.deepEqual(Object.keys(m), ['unassigned', 'mine', 'open', 'waiting-customer', 'waiting-support', 'sla', 'resolved']);
    assert.ok(m.open.current, 'all open is the default queue');
    for (const [queue, names] of Object.entries(expect)) {
      assert.equal(m[queue].count, names.length, `count of ${queue}`);
      const got = await summaries(alex, `?queue=${queue}`);
      assert.deepEqual(got, names.map((n) => `Warteschlange ${n}`), `queue ${queue}`);
      assert.ok(menu(await page(alex, `?queue=${queue}`))[queue].current, `${queue} marked current`);
    }
    // "mine" is the signed-in agent's
    assert.deepEqual(await summaries(bea, '?queue=mine'), ['Warteschlange waitcust']);
    assert.equal(menu(await page(bea, '')).mine.count, 1);
  });

  it('counts live: a change shows at once in counts and queues', async () => {
    set(R.open, `assignee_id = ${beaId}`);
    let m = menu(await page(bea, ''));
    assert.equal(m.unassigned.count, 1);
    assert.equal(m.mine.count, 2);
    set(R.open, 'assignee_id = NULL');
    set(R.waitsup, `status = 'resolved', resolved_at = ${NOW()}, updated_at = ${NOW()}`);
    m = menu(await page(bea, ''));
    assert.equal(m.unassigned.count, 1);
    assert.equal(m['waiting-support'].count, 1);
    assert.equal(m.resolved.count, 2);
    assert.equal(m.open.count, 4);
    set(R.waitsup, `status = 'waiting_support', resolved_at = NULL, updated_at = ${NOW() - 3 * 3600 + 180}`);
    assert.equal(menu(await page(bea, '')).resolved.count, 1);
  });

  it('shows key, summary, customer with organization, type, status, priority, assignee and time', async () => {
    const all = rows(await page(alex, '?queue=open'));
    const open = all.find((r) => r.key === R.open);
    assert.equal(open.href, `/desk/requests/${R.open}`);
    assert.equal(open.customer, 'Klara Kundin');
    assert.equal(open.org, 'Queue AG');
    assert.equal(open.status, 'open');
    assert.equal(open.priority, 'high');
    assert.equal(open.label, 'Hoch');
    assert.equal(open.assignee, 'Nicht zugewiesen');
    assert.match(open.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const progress = all.find((r) => r.key === R.progress);
    assert.equal(progress.org, '', 'a customer without organization');
    assert.equal(progress.assignee, 'Alex Agent (Sie)', 'the signed-in agent is marked for screen readers too');
    assert.equal(rows(await page(bea, '?queue=open')).find((r) => r.key === R.progress).assignee, 'Alex Agent');
    assert.equal(progress.priority, 'critical');
    assert.equal(progress.label, 'Kritisch');
    assert.match(progress.type, /Idee|idea/i);
    const html = await page(alex, '?queue=open');
    assert.match(textOf(html), /Stunden|Minuten/, 'relative times in German');
    const en = alex.get('/desk?queue=unassigned&lang=en');
    const enHtml = (await en).text;
    assert.match(textOf(enHtml), /Unassigned/);
    assert.match(textOf(enHtml), /Waiting for support/);
    assert.equal(rows(enHtml).find((r) => r.key === R.open).label, 'High');
    await alex.get('/desk?lang=de');
  });

  it('filters by type, priority, organization and assignee, also combined with a queue', async () => {
    const names = async (q) => (await summaries(alex, q)).map((s) => s.replace('Warteschlange ', ''));
    assert.deepEqual(await names('?type=idea'), ['progress']);
    assert.deepEqual(await names('?queue=resolved&type=idea'), ['resolved']);
    assert.deepEqual(await names('?priority=critical'), ['progress']);
    assert.deepEqual(await names('?priority=high'), ['waitsup2', 'open']);
    assert.deepEqual(await names(`?org=${orgId}`), ['waitcust', 'open']);
    assert.deepEqual(await names(`?queue=waiting-customer&org=${orgId}`), ['waitcust']);
    assert.deepEqual(await names(`?assignee=${beaId}`), ['waitcust']);
    assert.deepEqual(await names(`?assignee=${alexId}`), ['waitsup2', 'progress']);
    assert.deepEqual(await names('?assignee=none'), ['waitsup', 'open']);
    assert.deepEqual(await names(`?queue=waiting-support&assignee=${alexId}&priority=high`), ['waitsup2']);
    // the form shows what is chosen, and offers the agents and organizations
    const form = parseForms(await page(alex, `?queue=mine&priority=high&org=${orgId}`)).find((f) => f.action === '/desk');
    assert.equal(form.fields.queue, 'mine');
    assert.equal(form.fields.priority, 'high');
    assert.equal(form.fields.org, String(orgId));
    const html = await page(alex, '');
    assert.match(html, new RegExp(`<option value="${beaId}">Bea Bearbeiterin</option>`));
    assert.match(html, new RegExp(`<option value="${orgId}">Queue AG</option>`));
    // nothing matches: a helpful empty state with a reset link that keeps the queue
    const none = await page(alex, '?queue=waiting-customer&priority=critical');
    assert.match(textOf(none), /Keine Anfrage dieser Warteschlange passt/);
    const reset = findTags(none, 'a').find((a) => textOf(none.slice(a.index, none.indexOf('</a>', a.index))) === 'Filter zurücksetzen');
    assert.equal(decodeEntities(reset.attrs.href), '/desk?queue=waiting-customer');
  });

  it('sorts by last update both ways, by creation and by priority', async () => {
    const names = async (q) => (await summaries(alex, q)).map((s) => s.replace('Warteschlange ', ''));
    const open = ['waitsup2', 'waitsup', 'waitcust', 'progress', 'open'];
    assert.deepEqual(await names('?queue=open&sort=updated'), open);
    assert.deepEqual(await names('?queue=open&sort=oldest'), [...open].reverse());
    assert.deepEqual(await names('?queue=open&sort=created'), [...open].reverse());
    // critical, then high (newest update first), medium, low
    assert.deepEqual(await names('?queue=open&sort=priority'), ['progress', 'waitsup2', 'open', 'waitsup', 'waitcust']);
    const html = await page(alex, '?queue=open&sort=created');
    assert.match(html, /<th scope="col">Erstellt<\/th>/);
  });

  it('searches summary, description and public comments - never internal notes', async () => {
    const id = sql(srv.server, `SELECT id FROM requests WHERE number = ${R.open.split('-')[1]}`);
    sql(srv.server, `INSERT INTO events (request_id, actor_id, kind, body, internal, created_at) VALUES (${id}, ${alexId}, 'note', 'Geheimwort Zwiebelturm', 1, ${NOW()})`);
    // a public comment through the portal rebuilds the request's search row (with the note in
    // the events table next to it)
    const detail = await kunde.get(`/requests/${R.open}`);
    const csrf = parseForms(detail.text).find((f) => f.action.endsWith('/comments')).fields.csrf;
    const fd = new FormData();
    fd.append('csrf', csrf);
    fd.append('body', 'Öffentlich: Kolbenring');
    assert.equal((await kunde.request('POST', `/requests/${R.open}/comments`, { body: fd })).status, 303);
    const hits = async (client, q) => (await summaries(client, `?queue=open&q=${encodeURIComponent(q)}`));
    assert.deepEqual(await hits(alex, 'Kolbenring'), ['Warteschlange open'], 'public comment found');
    assert.deepEqual(await hits(alex, 'waitcust'), ['Warteschlange waitcust'], 'summary found');
    assert.equal((await hits(alex, 'Vergaserdichtung')).length, 5, 'description found (prefix words too)');
    assert.deepEqual(await hits(alex, 'Zwiebelturm'), [], 'internal note not found by agents');
    const list = (await kunde.get('/requests?q=Zwiebelturm')).text;
    assert.doesNotMatch(list, /Warteschlange open/, 'internal note not found by customers');
    assert.match((await kunde.get('/requests?q=Kolbenring')).text, /Warteschlange open/);
    // search combines with queue and filters; FTS syntax is taken as words
    assert.deepEqual(await summaries(alex, `?queue=open&q=Vergaserdichtung&assignee=${beaId}`), ['Warteschlange waitcust']);
    assert.equal((await alex.get('/desk?q=%22%20OR%20summary%3A*')).status, 200);
    const form = parseForms(await page(alex, '?q=Kolbenring')).find((f) => f.action === '/desk');
    assert.equal(form.fields.q, 'Kolbenring');
  });

  it('pages by keyset beyond page 1; the links keep queue, filters and sort', async () => {
    const base = NOW() - 2 * 86400;
    const keys = [];
    for (let i = 1; i <= 30; i++) keys.push(await create(kunde, 'question', { f_summary: `Blätterseite ${String(i).padStart(2, '0')}`, f_description: 'Seitenweise' }));
    const priorities = ['low', 'medium', 'high', 'critical'];
    for (const [i, key] of keys.entries())
      set(key, `status = 'waiting_customer', priority = '${priorities[i % 4]}', updated_at = ${base + i * 60}, created_at = ${base + i * 60}`);
    for (const sort of ['updated', 'oldest', 'created', 'priority']) {
      const query = `?queue=waiting-customer&q=Seitenweise&sort=${sort}`;
      const first = await page(alex, query);
      const page1 = rows(first);
      assert.equal(page1.length, 25, `${sort}: a full first page`);
      assert.equal(link(first, 'prev'), undefined);
      const next = decodeEntities(link(first, 'next'));
      assert.match(next, /^\/desk\?queue=waiting-customer&q=Seitenweise&.*after=[\d.]+$/, sort);
      if (sort !== 'updated') assert.match(next, new RegExp(`sort=${sort}`));
      const second = await page(alex, next.slice(5));
      const page2 = rows(second);
      assert.equal(page2.length, 5, `${sort}: the rest on page 2`);
      assert.equal(link(second, 'next'), undefined, 'no page 3');
      const all = [...page1, ...page2].map((r) => r.summary);
      assert.equal(new Set(all).size, 30, `${sort}: no row twice, none lost`);
      const expected = keys.map((k, i) => ({ s: `Blätterseite ${String(i + 1).padStart(2, '0')}`, i, p: i % 4 }));
      const order = sort === 'oldest' ? expected.sort((a, b) => a.i - b.i)
        : sort === 'priority' ? expected.sort((a, b) => b.p - a.p || b.i - a.i)
          : expected.sort((a, b) => b.i - a.i);
      assert.deepEqual(all, order.map((e) => e.s), `${sort}: order across pages`);
      // back from page 2 gives page 1 again
      const prev = decodeEntities(link(second, 'prev'));
      assert.match(prev, /before=/);
      assert.deepEqual(rows(await page(alex, prev.slice(5))).map((r) => r.summary), page1.map((r) => r.summary));
      assert.match(second, /Erste Seite/);
    }
    // the queue's count and the menu keep the filters but start at page 1
    const html = await page(alex, '?queue=waiting-customer&q=Seitenweise&sort=priority&after=3.1.1');
    assert.equal(menu(html)['waiting-customer'].count, 31);
    assert.equal(decodeEntities(menu(html).open.href), '/desk?q=Seitenweise&sort=priority');
    assert.equal(decodeEntities(menu(html).mine.href), '/desk?queue=mine&q=Seitenweise&sort=priority');
  });

  it('takes broken or unknown parameters as their defaults', async () => {
    const open = await summaries(alex, '?queue=open');
    assert.deepEqual(await summaries(alex, '?queue=nonsense'), open);
    assert.deepEqual(await summaries(alex, '?queue=open&sort=zufall&priority=egal&org=abc&assignee=-5&type=unbekannt'), open);
    assert.deepEqual(await summaries(alex, '?queue=open&after=kaputt'), open);
    const beyond = await page(alex, '?queue=open&sort=priority&after=1.1.1');
    assert.equal(rows(beyond).length, 0);
    assert.match(textOf(beyond), /Keine weiteren Anfragen/, 'past the last page: says so');
    assert.ok(findTags(beyond, 'a').some((a) => decodeEntities(a.attrs.href || '') === '/desk?sort=priority'), 'and links the first page');
    const unknownOrg = await page(alex, '?queue=open&org=999999');
    assert.deepEqual(rows(unknownOrg).map((r) => r.summary), open, 'an unknown organization filters nothing');
    assert.equal(parseForms(unknownOrg).find((f) => f.action === '/desk').fields.org, '');
    assert.deepEqual(await summaries(alex, '?queue=open&sort=priority&after=9.x.1'), await summaries(alex, '?queue=open&sort=priority'));
    const long = 'Kolbenring '.repeat(40);
    const form = parseForms(await page(alex, `?q=${encodeURIComponent(long)}`)).find((f) => f.action === '/desk');
    assert.equal([...form.fields.q].length, 200, 'search text cut to 200 characters');
  });

  it('shows each queue its own empty state', async () => {
    const carl = addUser(srv.server, 'carl@example.com', 'Carl Neu', 'agent');
    assert.ok(carl);
    const c = await login(srv.server, 'carl@example.com');
    const mine = await page(c, '?queue=mine');
    assert.equal(rows(mine).length, 0);
    assert.match(textOf(mine), /Ihnen ist nichts zugewiesen/);
    assert.match(mine, /href="\/desk\?queue=unassigned"/);
    sql(srv.server, "UPDATE requests SET status = 'closed', resolved_at = 1, updated_at = 1 WHERE status = 'waiting_customer'");
    assert.match(textOf(await page(c, '?queue=waiting-customer')), /Auf niemanden zu warten/);
    const en = (await c.get('/desk?queue=waiting-customer&lang=en')).text;
    assert.match(textOf(en), /No request is waiting for a customer's reply/);
  });

  it('answers 404 to customers on every queue URL, and sends visitors to the login', async () => {
    for (const q of ['', '?queue=mine', '?queue=unassigned&q=Kolbenring', `?org=${orgId}`]) {
      const r = await kunde.get(`/desk${q}`);
      assert.equal(r.status, 404, q);
      assert.doesNotMatch(r.text, /queue-row|Warteschlange/);
    }
    const anon = await srv.client().get('/desk?queue=mine');
    assert.equal(anon.status, 303);
    assert.match(anon.location, /^\/login\?next=/);
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});
