// desk_reports: the agents' reports dashboard (/desk/reports) and its CSV downloads, against a
// hand-built data set with known timestamps (the movable clock stands at Wednesday
// 2026-03-18 12:00 UTC): every number in the charts, the tables and the CSV files, German and
// English number formats, the 7/30/90-day presets, the empty state, 404 for customers on the
// page and every CSV, and formula cells defused in the CSV.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { textOf, useServer } from './lib/server.mjs';
import { addUser, login, sql } from './lib/fixtures.mjs';

const CHARTS = ['created-resolved', 'backlog', 'first-response', 'resolution', 'sla', 'types'];
const FIXED = Date.UTC(2026, 2, 18, 12, 0, 0) / 1000; // Wednesday, 12:00 UTC
const at = (iso) => Date.parse(iso) / 1000; // '2026-03-17T08:00:00Z' -> Unix seconds

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Points the server's clock at FIXED (real time keeps running from there); the server reads
 *  the offset at most once a second. */
async function fixClock(server) {
  server.setClockOffset(FIXED - Math.floor(Date.now() / 1000));
  await sleep(1100);
}

/** The <section id=key> of a dashboard page. */
function card(html, key) {
  const m = html.match(new RegExp(`<section class="card report-card" id="${key}"[\\s\\S]*?</section>`));
  assert.ok(m, `card ${key}`);
  return m[0];
}

/** The card's table as rows of cell texts, the header row first. */
function tableOf(html, key) {
  const table = card(html, key).match(/<table>[\s\S]*?<\/table>/)[0];
  return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => textOf(c[1]).trim()));
}

/** The raw bytes and text of a CSV download. */
async function csv(client, path) {
  const res = await fetch(new URL(path, client.baseUrl), { headers: { cookie: client.cookieHeader() } });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') };
}

// ---- the data set ------------------------------------------------------------------------

function typeId(server, key) {
  return Number(sql(server, `SELECT id FROM request_types WHERE key = '${key}'`));
}

function userId(server, email) {
  return Number(sql(server, `SELECT id FROM users WHERE email = '${email}'`));
}

/** Inserts request number n; returns its id. */
function addRequest(server, n, { type, created, status, reporter }) {
  sql(server, `INSERT INTO requests (number, type_id, reporter_id, summary, status, reply_token,
    created_at, updated_at) VALUES (${n}, ${typeId(server, type)}, ${reporter}, 'Anfrage ${n}',
    '${status}', 'token-${n}', ${created}, ${created})`);
  return Number(sql(server, `SELECT id FROM requests WHERE number = ${n}`));
}

function addComment(server, requestId, actor, when, internal = 0) {
  sql(server, `INSERT INTO events (request_id, actor_id, kind, body, internal, created_at)
    VALUES (${requestId}, ${actor}, 'comment', 'text', ${internal}, ${when})`);
}

function addStatus(server, requestId, actor, from, to, when) {
  sql(server, `INSERT INTO events (request_id, actor_id, kind, field, old_value, new_value, created_at)
    VALUES (${requestId}, ${actor}, 'status', 'status', '${from}', '${to}', ${when})`);
}

/** A request made the way people make them: the customer's form, the agent's reply on the
 *  request page two hours later, the customer marks it resolved. */
async function requestThroughThePages(server, customer, agent) {
  const r = await customer.submitForm('/new/problem', {
    f_summary: 'Export stops', f_description: 'The journal export stops.', f_product: 'cloud',
    f_urgency: 'high', f_version: '5.2',
  }, { action: '/new/' });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  const key = r.location.match(/\/requests\/([A-Z]+-\d+)/)[1];
  server.advanceClock(2 * 3600);
  await sleep(1100);
  const reply = await agent.submitForm(`/requests/${key}`, { body: 'Wir sehen uns das an.' },
    { action: '/comments' });
  assert.equal(reply.status, 303, reply.text.slice(0, 300));
  const resolved = await customer.submitForm(`/requests/${key}`, {}, { action: '/resolve' });
  assert.equal(resolved.status, 303);
}

// The expected numbers (FIXED = Wed 2026-03-18 12:00; weeks start Mon 2026-03-16 and 03-09):
// created per day  03-02: 1234 (bulk), 03-10: 1, 03-15: 1 (23:59:59), 03-16: 2, 03-17: 1,
//                  03-18: 3 (one through the pages) - 1,242 in all; 02-15 and 01-19 only in 90 days
// resolved per day 03-12: 1 (closed directly), 03-17: 1, 03-18: 2 (resolved twice, then closed:
//                  one request once)
// first responses  week of 03-16: 1.5 h, 2 h (pages), 4 h, 7 h, 144 h -> median 4.0 h (5)
// resolutions      week of 03-16: 2 h, 24 h, 168 h -> 24.0 h (3); week of 03-09: 1234.5 h (1)
// open backlog     open 2, in progress 1, waiting for support 2, waiting for customer 1
async function buildDataSet(server, customer, agentClient) {
  const kim = userId(server, 'kim@example.com');
  const agent = userId(server, 'agent@example.com');
  const admin = userId(server, 'admin@example.com');
  await requestThroughThePages(server, customer, agentClient);
  const r1 = addRequest(server, 101, { type: 'problem', created: at('2026-03-18T09:00:00Z'), status: 'open', reporter: kim });
  addComment(server, r1, agent, at('2026-03-18T10:30:00Z'));
  const r2 = addRequest(server, 102, { type: 'problem', created: at('2026-03-17T08:00:00Z'), status: 'closed', reporter: kim });
  addComment(server, r2, admin, at('2026-03-17T12:00:00Z'));
  addComment(server, r2, agent, at('2026-03-18T08:00:00Z'));
  // stored out of order: the second resolution first - the first one still counts
  addStatus(server, r2, agent, 'in_progress', 'resolved', at('2026-03-18T10:00:00Z'));
  addStatus(server, r2, agent, 'in_progress', 'resolved', at('2026-03-18T08:00:00Z'));
  addStatus(server, r2, kim, 'resolved', 'in_progress', at('2026-03-18T09:00:00Z'));
  addStatus(server, r2, agent, 'resolved', 'closed', at('2026-03-18T11:00:00Z'));
  const r3 = addRequest(server, 103, { type: 'question', created: at('2026-03-16T10:00:00Z'), status: 'waiting_customer', reporter: kim });
  addComment(server, r3, agent, at('2026-03-16T10:05:00Z'), 1); // internal note: no response
  addComment(server, r3, kim, at('2026-03-16T11:00:00Z')); // the customer: no response
  addComment(server, r3, agent, at('2026-03-16T17:00:00Z'));
  const r4 = addRequest(server, 104, { type: 'question', created: at('2026-03-10T09:00:00Z'), status: 'resolved', reporter: kim });
  addComment(server, r4, agent, at('2026-03-16T09:00:00Z'));
  addStatus(server, r4, agent, 'waiting_support', 'resolved', at('2026-03-17T09:00:00Z'));
  const r5 = addRequest(server, 105, { type: 'other', created: at('2026-01-19T19:30:00Z'), status: 'closed', reporter: kim });
  addStatus(server, r5, agent, 'in_progress', 'closed', at('2026-03-12T06:00:00Z'));
  addRequest(server, 106, { type: 'licence', created: at('2026-03-15T23:59:59Z'), status: 'in_progress', reporter: kim });
  addRequest(server, 107, { type: 'other', created: at('2026-03-16T00:00:00Z'), status: 'waiting_support', reporter: kim });
  addRequest(server, 108, { type: 'import', created: at('2026-02-15T12:00:00Z'), status: 'open', reporter: kim });
  sql(server, `INSERT INTO requests (number, type_id, reporter_id, summary, status, reply_token,
    created_at, updated_at)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1234)
    SELECT 1000 + i, ${typeId(server, 'idea')}, ${kim}, 'Bulk', 'closed', 'bulk-' || i,
      ${at('2026-03-02T10:00:00Z')} + i, ${at('2026-03-02T10:00:00Z')} + i FROM n`);
  // a type whose names would run as formulas in a spreadsheet
  sql(server, `INSERT INTO request_types (key, name_de, name_en, position, created_at) VALUES
    ('formula', '=HYPERLINK("http://evil.example";"x")', '@SUM(A1)', 99, 0)`);
  addRequest(server, 109, { type: 'formula', created: at('2026-03-18T07:00:00Z'), status: 'waiting_support', reporter: kim });
  sql(server, "UPDATE counters SET value = 3000 WHERE name = 'request_number'");
}

// ---- the tests ---------------------------------------------------------------------------

describe('reports dashboard', () => {
  // the SLA pass would decide outcomes for the data set on its own schedule: once an hour here
  const srv = useServer({ env: { PFORTE_SLA_POLL_MS: '3600000' } });
  let agent, admin, customer;

  before(async () => {
    const s = srv.server;
    await fixClock(s);
    addUser(s, 'agent@example.com', 'Alex Agent', 'agent');
    addUser(s, 'admin@example.com', 'Ada Admin', 'admin');
    addUser(s, 'kim@example.com', 'Kim Kunde');
    agent = await login(s, 'agent@example.com');
    admin = await login(s, 'admin@example.com');
    customer = await login(s, 'kim@example.com');
    await buildDataSet(s, customer, agent);
  });

  it('answers 404 to customers on the page and every CSV, and sends visitors to the login', async () => {
    for (const path of ['/desk/reports', '/desk/reports?days=7',
      ...CHARTS.map((c) => `/desk/reports/${c}.csv`), '/desk/reports/nothing.csv']) {
      const r = await customer.get(path);
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(r.text, /report-card|Anfrage \d+|1\.234/, path);
    }
    const visitor = await srv.client().get('/desk/reports/types.csv');
    assert.equal(visitor.status, 303);
    assert.match(visitor.location, /^\/login\?next=/);
  });

  it('shows every chart as SVG with a title, a description, a table and a CSV link', async () => {
    const r = await agent.get('/desk/reports');
    assert.equal(r.status, 200);
    // no SLA target is decided yet: that card says so (its own test adds outcomes)
    assert.match(textOf(card(r.text, 'sla')), /Für diesen Zeitraum gibt es noch keine Daten/);
    for (const key of CHARTS.filter((k) => k !== 'sla')) {
      const c = card(r.text, key);
      assert.match(c, new RegExp(`<svg class="chart [^"]*"[^>]* role="img" aria-labelledby="chart-${key}-title chart-${key}-desc"`), key);
      assert.match(c, new RegExp(`<title id="chart-${key}-title">[^<]+</title><desc id="chart-${key}-desc">[^<]+</desc>`), key);
      assert.match(c, /<details class="report-table">\s*<summary>Als Tabelle anzeigen<\/summary>/, key);
      assert.match(c, /<th scope="col">/, key);
      assert.match(c, new RegExp(`href="/desk/reports/${key}\\.csv\\?days=30&amp;lang=de"`), key);
    }
    assert.match(textOf(r.text), /Tage und Wochen in UTC/);
    assert.match(r.text, /<a class="range-preset" href="\/desk\/reports\?days=7">7 Tage<\/a>/);
    assert.match(r.text, /href="\/desk\/reports\?days=30" aria-current="page">30 Tage<\/a>/);
    assert.doesNotMatch(r.text, /<script(?![^>]*\bsrc=)/, "no inline script: the charts need none");
  });

  it('counts created and resolved requests per UTC day (German numbers)', async () => {
    const r = await agent.get('/desk/reports');
    const rows = tableOf(r.text, 'created-resolved');
    assert.deepEqual(rows[0], ['Tag', 'Erstellt', 'Gelöst']);
    assert.equal(rows.length, 31, '30 days and the header');
    assert.deepEqual(rows[1], ['17.02.2026', '0', '0']);
    const byDay = Object.fromEntries(rows.slice(1).map(([d, ...v]) => [d, v]));
    assert.deepEqual(byDay['02.03.2026'], ['1.234', '0']);
    assert.deepEqual(byDay['10.03.2026'], ['1', '0']);
    assert.deepEqual(byDay['12.03.2026'], ['0', '1'], 'closed without resolved counts once');
    assert.deepEqual(byDay['15.03.2026'], ['1', '0'], '23:59:59 UTC is still the 15th');
    assert.deepEqual(byDay['16.03.2026'], ['2', '0']);
    assert.deepEqual(byDay['17.03.2026'], ['1', '1']);
    assert.deepEqual(byDay['18.03.2026'], ['3', '2'], 'resolved then closed counts once');
    const svg = card(r.text, 'created-resolved');
    assert.match(svg, /<title>02\.03\.2026: Erstellt 1\.234<\/title>/);
    assert.match(svg, />1\.500<\/text>/, 'the value axis ends at a round 1.500');
    assert.match(svg, /Erstellt: insgesamt 1\.242\. Gelöst: insgesamt 4\./);
  });

  it('shows the open backlog by status, as of now', async () => {
    const r = await agent.get('/desk/reports?days=7');
    assert.deepEqual(tableOf(r.text, 'backlog'), [
      ['Status', 'Anfragen'], ['Offen', '2'], ['In Bearbeitung', '1'],
      ['Wartet auf Support', '2'], ['Wartet auf Kunde', '1'],
    ]);
    assert.match(card(r.text, 'backlog'), /<text class="chart-row-label"[^>]*>Wartet auf Support<\/text><text class="chart-row-value"[^>]*>2<\/text>/);
  });

  it('takes the weekly median of the first public agent reply, ignoring notes and customers', async () => {
    const r = await agent.get('/desk/reports');
    const rows = tableOf(r.text, 'first-response');
    assert.deepEqual(rows[0], ['Woche', 'Median (Stunden)', 'Anfragen']);
    assert.equal(rows.length, 9, '8 weeks');
    assert.deepEqual(rows[1], ['Woche ab 26.01.2026', '–', '0']);
    assert.deepEqual(rows[8], ['Woche ab 16.03.2026', '4,0 h', '5']);
    assert.deepEqual(rows[7], ['Woche ab 09.03.2026', '–', '0']);
    assert.match(card(r.text, 'first-response'), /<title>Woche ab 16\.03\.2026: 4,0 h<\/title>/);
  });

  it('takes the weekly median of the first resolution, in German and English', async () => {
    const de = tableOf((await agent.get('/desk/reports')).text, 'resolution');
    assert.deepEqual(de[7], ['Woche ab 09.03.2026', '1.234,5 h', '1']);
    assert.deepEqual(de[8], ['Woche ab 16.03.2026', '24,0 h', '3']);
    const page = (await admin.get('/desk/reports?lang=en')).text;
    const en = tableOf(page, 'resolution');
    assert.deepEqual(en[0], ['Week', 'Median (hours)', 'Requests']);
    assert.deepEqual(en[7], ['Week of Mar 9, 2026', '1,234.5 h', '1']);
    assert.deepEqual(en[8], ['Week of Mar 16, 2026', '24.0 h', '3']);
    assert.match(card(page, 'resolution'), /<title>Week of Mar 9, 2026: 1,234\.5 h<\/title>/);
    assert.deepEqual(tableOf(page, 'created-resolved').find((row) => row[0] === 'Mar 2, 2026'),
      ['Mar 2, 2026', '1,234', '0']);
    await admin.get('/desk/reports?lang=de');
  });

  it('ranks the busiest request types of the period; the presets change the period', async () => {
    const d30 = await agent.get('/desk/reports');
    assert.deepEqual(tableOf(d30.text, 'types').slice(1), [
      ['Idee oder Verbesserungsvorschlag', '1.234'], ['Technisches Problem', '3'],
      ['Frage zur Bedienung', '2'], ['Lizenz und Vertrag', '1'], ['Sonstiges Anliegen', '1'],
      ['=HYPERLINK("http://evil.example";"x")', '1'],
    ]);
    assert.match(d30.text, /<a class="range-preset" href="\/desk\/reports\?days=30" aria-current="page">30 Tage<\/a>/);
    const d7 = await agent.get('/desk/reports?days=7');
    assert.deepEqual(tableOf(d7.text, 'types').slice(1).map((r) => r[0]),
      ['Technisches Problem', 'Frage zur Bedienung', 'Lizenz und Vertrag', 'Sonstiges Anliegen',
        '=HYPERLINK("http://evil.example";"x")']);
    assert.equal(tableOf(d7.text, 'created-resolved').length, 8);
    const d90 = await agent.get('/desk/reports?days=90');
    const types90 = Object.fromEntries(tableOf(d90.text, 'types').slice(1));
    assert.equal(types90['Sonstiges Anliegen'], '2', 'the January request is in 90 days');
    assert.equal(types90['Fehler beim Import von Belegen'], '1');
    assert.equal(tableOf(d90.text, 'first-response').length, 14, '13 weeks cover 90 days');
    for (const bad of ['14', 'abc', '-7', '']) {
      const r = await agent.get(`/desk/reports?days=${bad}`);
      assert.equal(r.status, 200, bad);
      assert.match(r.text, /href="\/desk\/reports\?days=30" aria-current="page"/, `${bad}: the default`);
    }
  });

  it('downloads every chart as CSV: UTF-8 with BOM, header row, German ; and decimal comma', async () => {
    for (const key of CHARTS) {
      const r = await csv(agent, `/desk/reports/${key}.csv`);
      assert.equal(r.status, 200, key);
      assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
      assert.match(r.headers.get('content-disposition'), new RegExp(`^attachment; filename="pforte-${key}-30d-2026-03-18\\.csv"$`));
      assert.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], `${key}: BOM`);
      assert.match(r.text, /\r\n$/);
    }
    const days = (await csv(agent, '/desk/reports/created-resolved.csv')).text.slice(1).split('\r\n');
    assert.equal(days[0], 'Tag;Erstellt;Gelöst');
    assert.equal(days[1], '2026-02-17;0;0');
    assert.ok(days.includes('2026-03-02;1234;0'));
    assert.ok(days.includes('2026-03-18;3;2'));
    assert.equal(days.length, 32, 'header, 30 days, the final line end');
    const weeks = (await csv(agent, '/desk/reports/resolution.csv')).text.slice(1).split('\r\n');
    assert.equal(weeks[0], 'Woche;Median (Stunden);Anfragen');
    assert.equal(weeks[1], '2026-01-26;;0');
    assert.equal(weeks[7], '2026-03-09;1234,5;1');
    assert.equal(weeks[8], '2026-03-16;24,0;3');
    const backlog = (await csv(agent, '/desk/reports/backlog.csv?days=7')).text.slice(1);
    assert.equal(backlog, 'Status;Anfragen\r\nOffen;2\r\nIn Bearbeitung;1\r\n' +
      'Wartet auf Support;2\r\nWartet auf Kunde;1\r\n');
    const seven = await csv(agent, '/desk/reports/created-resolved.csv?days=7');
    assert.match(seven.headers.get('content-disposition'), /-7d-/);
    assert.equal(seven.text.split('\r\n').length, 9);
  });

  it('writes English CSV with commas and decimal points (the page links the CSV in its language)', async () => {
    const page = (await admin.get('/desk/reports?lang=en')).text;
    assert.match(card(page, 'types'), /href="\/desk\/reports\/types\.csv\?days=30&amp;lang=en"/);
    const weeks = (await csv(admin, '/desk/reports/first-response.csv?lang=en')).text.slice(1).split('\r\n');
    assert.equal(weeks[0], 'Week,Median (hours),Requests');
    assert.equal(weeks[8], '2026-03-16,4.0,5');
    const types = (await csv(admin, '/desk/reports/types.csv?lang=en')).text.slice(1).split('\r\n');
    assert.equal(types[1], 'Idea or suggestion,1234');
    assert.equal(types[6], '"\'@SUM(A1)",1', 'a formula in English: quoted, apostrophe first');
    await admin.get('/desk/reports?lang=de');
  });

  it('defuses cells that a spreadsheet would run as formulas', async () => {
    const types = (await csv(agent, '/desk/reports/types.csv')).text.slice(1).split('\r\n');
    assert.equal(types[6], '"\'=HYPERLINK(""http://evil.example"";""x"")";1');
    for (const line of types)
      assert.doesNotMatch(line, /(^|;)[=+\-@]/, `no cell starts a formula: ${line}`);
    const page = (await agent.get('/desk/reports')).text;
    assert.match(page, /=HYPERLINK\(&quot;http:\/\/evil\.example&quot;;&quot;x&quot;\)/, 'escaped in the page');
  });

  it('answers 404 for unknown charts and file names', async () => {
    for (const path of ['/desk/reports/types', '/desk/reports/types.json', '/desk/reports/nothing.csv',
      '/desk/reports/types.csv.csv', '/desk/reports/.csv'])
      assert.equal((await agent.get(path)).status, 404, path);
  });

  it('shows the share of SLA targets met per priority, from the outcomes the SLA engine stored', async () => {
    const s = srv.server;
    const reporter = userId(s, 'kim@example.com');
    const plan = [ // number, priority, response met, resolution met (null: not decided)
      [9001, 'critical', 1, 0], [9002, 'critical', 0, null], [9003, 'high', 1, 1],
      [9004, 'high', 1, null], [9005, 'low', null, null]];
    for (const [n, priority, response, resolution] of plan) {
      const id = addRequest(s, n, { type: 'question', created: at('2026-03-16T08:00:00Z'), status: 'resolved', reporter });
      sql(s, `UPDATE requests SET priority = '${priority}', first_response_at = ${at('2026-03-16T09:00:00Z')},
        first_resolved_at = ${resolution === null ? 'NULL' : at('2026-03-17T09:00:00Z')},
        sla_first_response_met = ${response ?? 'NULL'}, sla_resolution_met = ${resolution ?? 'NULL'},
        sla_updated_at = updated_at WHERE id = ${id}`);
    }
    const page = await agent.get('/desk/reports');
    assert.match(card(page.text, 'sla'), /<svg[^>]*role="img"/);
    const rows = tableOf(page.text, 'sla');
    assert.deepEqual(rows.slice(1).map((r) => r.slice(0, 5)), [
      ['Kritisch', '50,0 %', '0,0 %', '2', '1'],
      ['Hoch', '100,0 %', '100,0 %', '2', '1'],
      ['Mittel', rows[3][1], rows[3][2], '0', '0'],
      ['Niedrig', rows[4][1], rows[4][2], '0', '0'],
    ]);
    assert.doesNotMatch(rows[3][1] + rows[4][1], /%/, 'no share without a decided target');
    const lines = (await csv(agent, '/desk/reports/sla.csv?lang=en')).text.slice(1).split('\r\n');
    assert.match(lines[1], /^Critical,50(\.0)?,0(\.0)?,2,1$/);
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});

describe('reports dashboard without data', () => {
  const srv = useServer();

  it('says there is no data yet, with zero tables and CSV files that hold only zeros', async () => {
    const s = srv.server;
    await fixClock(s);
    addUser(s, 'agent@example.com', 'Alex Agent', 'agent');
    const agent = await login(s, 'agent@example.com');
    const r = await agent.get('/desk/reports');
    assert.equal(r.status, 200);
    for (const key of CHARTS) {
      const c = card(r.text, key);
      assert.match(c, /Für diesen Zeitraum gibt es noch keine Daten\./, key);
      assert.doesNotMatch(c, /<svg class="chart/, `${key}: no empty chart`);
    }
    assert.equal(tableOf(r.text, 'types').length, 1, 'no types: only the header');
    assert.deepEqual(tableOf(r.text, 'backlog').slice(1).map((row) => row[1]), ['0', '0', '0', '0']);
    assert.deepEqual(tableOf(r.text, 'first-response')[8], ['Woche ab 16.03.2026', '–', '0']);
    const en = await agent.get('/desk/reports?lang=en');
    assert.match(textOf(en.text), /No data in this period yet\./);
    const file = await csv(agent, '/desk/reports/types.csv?lang=en');
    assert.equal(file.text, '\ufeffRequest type,Requests\r\n');
    const days = (await csv(agent, '/desk/reports/created-resolved.csv?days=7&lang=en')).text.split('\r\n');
    assert.equal(days[7], '2026-03-18,0,0');
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});
