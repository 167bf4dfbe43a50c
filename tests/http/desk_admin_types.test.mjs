// The request-type editor: creating and editing types and fields with errors in German and
// English, every field kind the customer form knows, order by up/down buttons, switching
// types and fields off, the preview - and that every change shows on the customer's form at
// /new/{key} and the start page. Types in use cannot be deleted; fields with stored values are
// hidden instead of deleted, and old requests keep showing them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findByClass, findTags, parseForms, textOf, useServer } from './lib/server.mjs';
import { sql } from './lib/fixtures.mjs';
import { errorsOf, eventually, postForm, signedInAs } from './lib/admin.mjs';

const TYPE = { key: 'lizenz-frage', name_de: 'Frage zur Lizenz', name_en: 'Licence question',
  description_de: 'Alles rund um Lizenzen.', description_en: 'All about licences.', icon: 'key', active: '1' };

async function createType(client, values = TYPE) {
  const res = await postForm(client, '/desk/admin/types/new', '/desk/admin/types', values);
  assert.equal(res.status, 303, textOf(res.text).slice(0, 300));
  return res.location.match(/\/desk\/admin\/types\/(\d+)/)[1];
}

async function addField(client, typeId, values) {
  const res = await postForm(client, `/desk/admin/types/${typeId}`, `/desk/admin/types/${typeId}/fields`, values);
  return res;
}

function fieldLabels(html) {
  const form = html.slice(html.indexOf('<form'), html.indexOf('share-box') > 0 ? html.indexOf('share-box') : undefined);
  const names = [...form.matchAll(/<(?:input|select|textarea)\b[^>]*\bname="(f_[a-z0-9_]+)"/g)].map((m) => m[1]);
  return [...new Set(names)];
}

async function newRequest(client, key, values) {
  const form = parseForms((await client.get(`/new/${key}`)).text).find((f) => f.action === `/new/${key}`);
  const fd = new FormData();
  for (const [k, v] of Object.entries({ ...form.fields, ...values })) fd.append(k, v);
  const res = await client.request('POST', `/new/${key}`, { body: fd });
  assert.equal(res.status, 303, textOf(res.text).slice(0, 400));
  return res.location.match(/\/requests\/([A-Z]+-\d+)/)[1];
}

describe('admin request types', () => {
  const srv = useServer();

  it('validates a new type in German and English and keeps what was typed', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    let res = await postForm(client, '/desk/admin/types/new', '/desk/admin/types',
      { key: 'Mit Leerzeichen', name_de: '', name_en: '', icon: 'nicht-da' });
    assert.equal(res.status, 422);
    const errors = errorsOf(res.text);
    assert.match(errors, /Kleinbuchstaben/);
    assert.match(errors, /Bitte füllen Sie dieses Feld aus/);
    assert.match(errors, /Symbole/);
    assert.equal(parseForms(res.text).find((f) => f.action === '/desk/admin/types').fields.key, 'Mit Leerzeichen');
    const { client: en } = await signedInAs(srv.server, 'admin', { lang: 'en' });
    res = await postForm(en, '/desk/admin/types/new', '/desk/admin/types', { key: 'question', name_de: 'X', name_en: 'X', icon: 'key' });
    assert.equal(res.status, 422);
    assert.match(errorsOf(res.text), /Another request type already has this key/);
  });

  it('creates a type with fields of every kind; the customer form follows every edit', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    const id = await createType(client);
    const { client: customer } = await signedInAs(srv.server, 'customer');
    await eventually(async () => {
      const home = (await customer.get('/')).text;
      assert.match(home, /Frage zur Lizenz/);
    });
    // a select without options and a bad key come back with messages
    let res = await addField(client, id, { key: 'Produkt!', kind: 'select', label_de: 'Produkt', label_en: 'Product', options: '' });
    assert.equal(res.status, 422);
    assert.match(errorsOf(res.text), /mindestens eine Option/);
    assert.match(errorsOf(res.text), /Kleinbuchstaben, Ziffern oder _/);
    res = await addField(client, id, { key: 'produkt', kind: 'select', label_de: 'Produkt', label_en: 'Product', options: 'a|A|A\na|B|B' });
    assert.match(errorsOf(res.text), /doppelt/);
    const kinds = [
      ['produkt', 'select', 'Produkt', 'Product', 'cloud|Wolke|Cloud\nbox|Kiste|Box', '1'],
      ['module', 'multiselect', 'Module', 'Modules', 'Buchhaltung\nLohn', ''],
      ['seit', 'date', 'Seit wann', 'Since', '', ''],
      ['anzahl', 'number', 'Anzahl Plätze', 'Seats', '', ''],
      ['kontakt', 'email', 'Kontakt', 'Contact', '', ''],
      ['agb', 'checkbox', 'AGB gelesen', 'Terms read', '', ''],
      ['dateien', 'attachments', 'Dateien', 'Files', '', ''],
      ['notiz', 'text', 'Notiz', 'Note', '', ''],
    ];
    for (const [key, kind, de, en, options, required] of kinds) {
      res = await addField(client, id, { key, kind, label_de: de, label_en: en, help_de: `Hilfe ${de}`, help_en: `Help ${en}`, options, required });
      assert.equal(res.status, 303, `${key}: ${errorsOf(res.text)}`);
    }
    let form = (await customer.get('/new/lizenz-frage')).text;
    assert.deepEqual(fieldLabels(form), ['f_summary', 'f_description', 'f_produkt', 'f_module', 'f_seit', 'f_anzahl', 'f_kontakt', 'f_agb', 'f_dateien', 'f_notiz']);
    assert.match(form, /Hilfe Produkt/);
    assert.match(form, /<option value="cloud"[^>]*>Wolke<\/option>/);
    assert.match(form, /type="date"/);
    assert.match(form, /type="file"/);
    const en = (await customer.get('/new/lizenz-frage?lang=en')).text;
    assert.match(en, /Help Product/);
    assert.match(en, />Cloud</);
    // the preview shows the same fields
    const preview = (await client.get(`/desk/admin/types/${id}/preview`)).text;
    assert.deepEqual(fieldLabels(preview.slice(preview.indexOf('preview-frame'))).slice(0, 4), ['f_summary', 'f_description', 'f_produkt', 'f_module']);
    // edit a label and the required flag; move a field up
    const page = (await client.get(`/desk/admin/types/${id}`)).text;
    const notiz = findByClass(page, 'admin-field').find((f) => f.attrs['data-key'] === 'notiz');
    assert.ok(notiz);
    const fid = page.slice(notiz.index).match(/\/desk\/admin\/fields\/(\d+)/)[1];
    res = await postForm(client, `/desk/admin/fields/${fid}`, `/desk/admin/fields/${fid}`, { label_de: 'Interne Notiz des Kunden', required: '1' });
    assert.equal(res.status, 303);
    const csrf = page.match(/name="csrf" value="([^"]+)"/)[1];
    for (let i = 0; i < 7; i++)
      assert.equal((await client.post(`/desk/admin/fields/${fid}/move`, { csrf, direction: 'up' })).status, 303);
    form = (await customer.get('/new/lizenz-frage')).text;
    assert.deepEqual(fieldLabels(form).slice(0, 3), ['f_summary', 'f_description', 'f_notiz']);
    assert.match(form, /Interne Notiz des Kunden/);
    assert.match(form, /id="f_notiz"[^>]* required/);
    assert.ok(Number(sql(srv.server, "SELECT count(*) FROM audit_log WHERE action IN ('type_create', 'field_create', 'field_update', 'field_move')")) >= 12);
  });

  it('reorders and switches types on the start page; deactivated forms are gone', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    const csrf = (await client.get('/desk/admin/types')).text.match(/name="csrf" value="([^"]+)"/)[1];
    const order = () => sql(srv.server, 'SELECT key FROM request_types WHERE active = 1 ORDER BY position, id').split('\n');
    const before = order();
    const second = sql(srv.server, `SELECT id FROM request_types WHERE key = '${before[1]}'`);
    assert.equal((await client.post(`/desk/admin/types/${second}/move`, { csrf, direction: 'up' })).status, 303);
    assert.deepEqual(order().slice(0, 2), [before[1], before[0]]);
    await eventually(async () => {
      const home = (await srv.client().get('/')).text;
      assert.ok(home.indexOf(`/new/${before[1]}`) < home.indexOf(`/new/${before[0]}`), 'start page follows the order');
    });
    assert.equal((await client.post(`/desk/admin/types/${second}/active`, { csrf, active: '0', back: 'list' })).status, 303);
    const { client: customer } = await signedInAs(srv.server, 'customer');
    await eventually(async () => {
      assert.equal((await customer.get(`/new/${before[1]}`)).status, 404);
      assert.doesNotMatch((await customer.get('/')).text, new RegExp(`/new/${before[1]}"`));
    });
    assert.match((await client.get('/desk/admin/types')).text, /Inaktiv/);
    assert.equal((await client.post(`/desk/admin/types/${second}/active`, { csrf, active: '1' })).status, 303);
    assert.equal((await customer.get(`/new/${before[1]}`)).status, 200);
    for (const action of ['type_move', 'type_deactivate', 'type_activate'])
      assert.equal(sql(srv.server, `SELECT count(*) FROM audit_log WHERE action = '${action}' AND subject = '${before[1]}'`), '1', action);
  });

  it('refuses to delete a type in use; hides fields with values, deletes the others', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    const id = await createType(client, { ...TYPE, key: 'wegwerf', name_de: 'Wegwerf', name_en: 'Throwaway' });
    let res = await addField(client, id, { key: 'version', kind: 'text', label_de: 'Version', label_en: 'Version' });
    assert.equal(res.status, 303);
    res = await addField(client, id, { key: 'leer', kind: 'text', label_de: 'Leer', label_en: 'Empty' });
    const { client: customer } = await signedInAs(srv.server, 'customer');
    await new Promise((r) => setTimeout(r, 1100));
    const key = await newRequest(customer, 'wegwerf', { f_summary: 'Test', f_description: 'Text', f_version: '7.4.1' });
    const csrf = (await client.get(`/desk/admin/types/${id}`)).text.match(/name="csrf" value="([^"]+)"/)[1];
    res = await client.post(`/desk/admin/types/${id}/delete`, { csrf });
    assert.equal(res.status, 409);
    assert.match(errorsOf(res.text), /von 1 Anfragen verwendet und kann nicht gelöscht werden/);
    const version = sql(srv.server, `SELECT id FROM request_fields WHERE type_id = ${id} AND key = 'version'`);
    const leer = sql(srv.server, `SELECT id FROM request_fields WHERE type_id = ${id} AND key = 'leer'`);
    // the kind of a field with values stays
    res = await postForm(client, `/desk/admin/fields/${version}`, `/desk/admin/fields/${version}`, { kind: 'number' });
    assert.equal(res.status, 422);
    assert.match(errorsOf(res.text), /Art nicht geändert werden/);
    res = await client.post(`/desk/admin/fields/${version}/remove`, { csrf });
    assert.equal(res.status, 303);
    assert.equal(sql(srv.server, `SELECT active FROM request_fields WHERE id = ${version}`), '0');
    res = await client.post(`/desk/admin/fields/${leer}/remove`, { csrf });
    assert.equal(sql(srv.server, `SELECT count(*) FROM request_fields WHERE id = ${leer}`), '0');
    const form = (await customer.get('/new/wegwerf')).text;
    assert.doesNotMatch(form, /f_version/);
    const old = (await customer.get(`/requests/${key}`)).text;
    assert.match(old, /7\.4\.1/, 'the old request keeps its value');
    // an unused type can be deleted
    const unused = await createType(client, { ...TYPE, key: 'unbenutzt', name_de: 'Unbenutzt', name_en: 'Unused' });
    res = await client.post(`/desk/admin/types/${unused}/delete`, { csrf });
    assert.equal(res.status, 303);
    assert.equal(sql(srv.server, "SELECT count(*) FROM request_types WHERE key = 'unbenutzt'"), '0');
    assert.equal(sql(srv.server, "SELECT count(*) FROM audit_log WHERE action = 'type_delete' AND subject = 'unbenutzt'"), '1');
    assert.match(sql(srv.server, "SELECT detail FROM audit_log WHERE action = 'field_deactivate' AND subject = 'wegwerf.version'"), /1 values kept/);
    assert.equal(sql(srv.server, "SELECT count(*) FROM audit_log WHERE action = 'field_delete' AND subject = 'wegwerf.leer'"), '1');
  });

  it('stops cleanly', () => srv.stop());
});
