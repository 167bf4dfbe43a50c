-- 018: the CHECK constraints on requests.status, requests.priority and outbox.state compare
-- with OR instead of IN. SQLite tests a value against an IN list of more than two constants
-- by building a temporary index of the list, at every INSERT and at every UPDATE of the
-- column: about 30,000 instructions each, inside the writer's turn (creating a request paid it
-- three times). The comparisons cost a few hundred. Both forms accept exactly the same values
-- and a CHECK constraint does not change how rows are stored, so only the table's text in
-- sqlite_schema changes, SQLite's documented way for such a change ("Making Other Kinds Of
-- Table Schema Changes"). Creating and dropping a table afterwards advances the schema cookie,
-- so every connection reads the new text. A text not found (a hand-made schema) stays as it
-- is: it checks the same, only slower.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(replace(sql,
    'CHECK (status IN (''open'', ''in_progress'',' || char(10) ||
    '        ''waiting_customer'', ''waiting_support'', ''resolved'', ''closed''))',
    'CHECK (status = ''open'' OR status = ''in_progress'' OR status = ''waiting_customer''' ||
    char(10) || '        OR status = ''waiting_support'' OR status = ''resolved''' ||
    ' OR status = ''closed'')'),
    'CHECK (priority IN (''low'', ''medium'', ''high'',' || char(10) || '        ''critical''))',
    'CHECK (priority = ''low'' OR priority = ''medium'' OR priority = ''high''' || char(10) ||
    '        OR priority = ''critical'')')
    WHERE type = 'table' AND name = 'requests';
UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (state IN (''queued'', ''sending'', ''sent'', ''failed''))',
    'CHECK (state = ''queued'' OR state = ''sending'' OR state = ''sent'' OR state = ''failed'')')
    WHERE type = 'table' AND name = 'outbox';
PRAGMA writable_schema = OFF;
CREATE TABLE schema_cookie_018 (x);
DROP TABLE schema_cookie_018;
