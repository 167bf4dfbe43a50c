// Pforte: small enhancements only - every page works without this file.
'use strict';

// Desk queues on narrow screens: the queue menu scrolls sideways; show the current queue.
function showCurrentQueue() {
  const list = document.querySelector('.queue-menu ul');
  const current = list && list.querySelector('[aria-current="page"]');
  if (!current || list.scrollWidth <= list.clientWidth) return;
  const item = current.parentElement;
  list.scrollLeft = item.offsetLeft - (list.clientWidth - item.offsetWidth) / 2;
}

function setupTypeFilter() {
  const input = document.getElementById('type-filter');
  const list = document.getElementById('type-list');
  const empty = document.getElementById('type-filter-empty');
  if (!input || !list) return;
  const items = Array.from(list.querySelectorAll('li'));
  const norm = (s) => s.toLocaleLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  const texts = items.map((li) => norm(li.querySelector('[data-filter-text]').dataset.filterText));
  const apply = () => {
    const words = norm(input.value).split(/\s+/).filter(Boolean);
    let shown = 0;
    items.forEach((li, i) => {
      const match = words.every((w) => texts[i].includes(w));
      li.hidden = !match;
      if (match) shown++;
    });
    if (empty) empty.hidden = shown !== 0;
  };
  input.addEventListener('input', apply);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { input.value = ''; apply(); }
  });
  apply();
}

// Password strength meter: an estimate only; the server's verdict counts and is shown on submit.
const COMMON_PASSWORDS = ['passwort', 'password', 'hallo', 'qwertz', 'qwerty', 'asdf', 'letmein',
  'iloveyou', 'sommer', 'schatz', 'fussball', 'football', 'master', 'dragon', 'monkey',
  'welcome', 'willkommen', 'admin', 'abc123', '123456', 'geheim', 'secret', 'baseball'];

function estimateStrength(pw, email, name, portal) {
  const reasons = [];
  const lower = pw.toLowerCase();
  const length = Array.from(pw).length;
  if (length < 15) reasons.push('short');
  if (length > 256) reasons.push('long');
  const local = (email || '').split('@')[0].toLowerCase();
  if (local.length >= 3 && lower.includes(local)) reasons.push('email');
  const nameParts = (name || '').toLowerCase().split(/\s+/).filter((p) => p.length >= 3);
  if (nameParts.some((p) => lower.includes(p))) reasons.push('name');
  const portalParts = (portal || '').toLowerCase().split(/\s+/).filter((p) => p.length >= 4);
  if (portalParts.some((p) => lower.includes(p))) reasons.push('portal');
  const core = lower.replace(/[^a-zäöüß]/g, '');
  if (COMMON_PASSWORDS.some((c) => core === c || lower.replace(/[\d\W_]+$/, '') === c)) reasons.push('common');
  if (/^(.{1,4})\1{2,}$/.test(lower)) reasons.push('repeat');
  let level = 3;
  if (reasons.length) level = 1;
  else if (new Set(lower).size < 8 || length < 20 && !/\s/.test(pw)) level = 2;
  return { level, reasons };
}

function setupPasswordMeter() {
  const meter = document.getElementById('password-meter');
  const input = meter && document.getElementById(meter.dataset.for);
  if (!input) return;
  const label = meter.querySelector('.meter-label');
  const list = meter.querySelector('.meter-reasons');
  const nameInput = document.getElementById(meter.dataset.nameField);
  const emailInput = document.getElementById('email');
  const update = () => {
    if (!input.value) { meter.hidden = true; return; }
    meter.hidden = false;
    const email = meter.dataset.email || (emailInput ? emailInput.value : '');
    const r = estimateStrength(input.value, email, nameInput ? nameInput.value : '', meter.dataset.portal);
    meter.dataset.level = String(r.level);
    label.textContent = meter.dataset[['', 'tWeak', 'tFair', 'tGood'][r.level]];
    list.replaceChildren(...r.reasons.map((key) => {
      const li = document.createElement('li');
      li.textContent = meter.dataset['t' + key[0].toUpperCase() + key.slice(1)];
      return li;
    }));
  };
  input.addEventListener('input', update);
  if (nameInput) nameInput.addEventListener('input', update);
  update();
}

function setupErrorFocus() {
  const box = document.getElementById('form-errors');
  if (box) box.focus();
}

function setupLocalTimes() {
  const lang = document.documentElement.lang || 'de';
  const fmt = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  document.querySelectorAll('time[data-local-time]').forEach((el) => {
    const d = new Date(el.getAttribute('datetime'));
    if (!Number.isNaN(d.getTime())) el.textContent = fmt.format(d);
  });
}

// Desk reply box: "Einfügen" puts the canned response (placeholders already filled in by the
// server, in data-text) at the cursor instead of reloading the page; without this file the
// button submits the form and the server re-renders it with the text inserted.
function setupCannedInsert() {
  const button = document.querySelector('[data-canned-insert]');
  const select = document.querySelector('[data-canned-select]');
  const body = document.getElementById('body');
  if (!button || !select || !body) return;
  button.addEventListener('click', (e) => {
    const option = select.selectedOptions[0];
    if (!option || !option.value) return; // the server explains what is missing
    e.preventDefault();
    const text = option.dataset.text || '';
    const start = body.selectionStart ?? body.value.length;
    const end = body.selectionEnd ?? start;
    const before = body.value.slice(0, start);
    const sep = before && !before.endsWith('\n\n') ? (before.endsWith('\n') ? '\n' : '\n\n') : '';
    body.value = before + sep + text + body.value.slice(end);
    const caret = (before + sep + text).length;
    body.focus();
    body.setSelectionRange(caret, caret);
    select.value = '';
  });
}

// Desk reply box: what an agent types survives the page loads of the other forms (status,
// assignee, priority) - kept in sessionStorage per request until the reply is sent.
function setupReplyDraft() {
  const form = document.querySelector('[data-reply-form]');
  const body = form && form.querySelector('#body');
  if (!body) return;
  const key = 'pforte-draft:' + form.getAttribute('action');
  let store;
  try { store = window.sessionStorage; } catch { return; }
  const done = new URLSearchParams(location.search).get('done');
  if (done === 'reply' || done === 'note') store.removeItem(key);
  else if (!body.value && store.getItem(key)) body.value = store.getItem(key);
  body.addEventListener('input', () => {
    if (body.value) store.setItem(key, body.value);
    else store.removeItem(key);
  });
}

document.addEventListener('DOMContentLoaded', () => {
  setupCannedInsert();
  setupReplyDraft();
  setupTypeFilter();
  setupPasswordMeter();
  setupErrorFocus();
  setupLocalTimes();
  showCurrentQueue();
});
