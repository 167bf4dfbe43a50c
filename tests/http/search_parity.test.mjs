// search_parity: what the search box finds, on texts with the cases where full-text engines
// differ - file names and codes with dots and dashes, umlauts and other diacritics, ß,
// typographic quotes, short words (whole words only) and prefixes (three characters or more),
// several words (all must occur). The suite runs against SQLite (FTS5) and PostgreSQL
// (tsvector), and the expectations are the same for both: the two backends find the same.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findByClass, parseForms, textOf, useServer } from './lib/server.mjs';
import { addUser, login } from './lib/fixtures.mjs';

const REQUESTS = {
  pdf: ['Bericht.pdf lässt sich nicht öffnen', 'Die Datei Jahresbericht-2024.pdf zeigt Fehler E-42.'],
  mueller: ['Müller GmbH Zugang', 'Frau Müller kann sich nicht anmelden; Kennwort zurückgesetzt.'],
  printer: ['Drucker druckt leer', 'Seit dem Update (v3.2) kommt nur weißes Papier.'],
  csv: ['Import von CSV', 'Semikolon;getrennt und „Anführungszeichen“ funktionieren nicht.'],
};

const CASES = [
  ['pdf', ['pdf']],
  ['bericht', ['pdf']],
  ['muller', ['mueller']],
  ['Müller', ['mueller']],
  ['MÜLL', ['mueller']],
  ['zuruck', ['mueller']],
  ['e', ['pdf']],
  ['42', ['pdf']],
  ['E-42', ['pdf']],
  ['2024', ['pdf']],
  ['v3', ['printer']],
  ['3.2', []],
  ['weiß', ['printer']],
  ['weiss', []],
  ['anführungszeichen', ['csv']],
  ['„Anführungszeichen“', ['csv']],
  ['semikolon', ['csv']],
  ['getrennt', ['csv']],
  ['druck', ['printer']],
  ['leer papier', ['printer']],
  ['leer pdf', []],
  ['gmbh', ['mueller']],
  ['nicht', ['pdf', 'mueller', 'csv']],
  ['ni', []],
];

describe('search finds the same on every backend', () => {
  const srv = useServer();
  let client;
  const summaryOf = {};

  before(async () => {
    addUser(srv.server, 'suse.suche@example.com', 'Suse Suche');
    client = await login(srv.server, 'suse.suche@example.com');
    for (const [name, [summary, description]] of Object.entries(REQUESTS)) {
      const page = await client.get('/new/other');
      const form = parseForms(page.text).find((f) => f.action === '/new/other');
      const fd = new FormData();
      for (const [k, v] of Object.entries({ ...form.fields, f_summary: summary, f_description: description }))
        fd.append(k, v);
      const r = await client.request('POST', '/new/other', { body: fd });
      assert.equal(r.status, 303, `${name}: ${textOf(r.text).slice(0, 200)}`);
      summaryOf[name] = summary;
    }
  });

  for (const [query, expected] of CASES) {
    it(`"${query}" finds ${expected.length ? expected.join(', ') : 'nothing'}`, async () => {
      const r = await client.get(`/requests?q=${encodeURIComponent(query)}`);
      assert.equal(r.status, 200);
      const shown = findByClass(r.text, 'request-item')
        .map((s) => textOf(r.text.slice(s.index, r.text.indexOf('</li>', s.index))));
      const found = Object.keys(REQUESTS).filter((n) => shown.some((t) => t.includes(summaryOf[n])));
      assert.deepEqual(found.sort(), [...expected].sort());
    });
  }

  it('stops cleanly', () => srv.stop());
});
