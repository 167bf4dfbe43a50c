/* demo: the demo portal of "Beleglicht GmbH", a fictional vendor of accounting software -
 * request types like the tutorial's, with sensible fields, one organization with two
 * customers and a demo agent. Runs only on an empty database, in one transaction. Demo
 * accounts get no password: "Passwort vergessen?" sets one through the local Maildir. */
#include "domain/demo.h"
#include "core/clock.h"
#include "core/log.h"
#include "store/catalog.h"
#include "store/users.h"
#include <string.h>

#define PRODUCT_OPTIONS                                                                        \
    "cloud|Beleglicht Cloud|Beleglicht Cloud\n"                                                \
    "desktop|Beleglicht Desktop|Beleglicht Desktop\n"                                          \
    "box|Belegbox (Scanner-Anbindung)|Belegbox (scanner connector)\n"                          \
    "api|Schnittstelle / API|Interface / API\n"                                                \
    "app|Mobile App|Mobile app"

typedef struct DemoField {
    const char *key, *kind, *label_de, *label_en, *help_de, *help_en;
    bool required;
    const char *options;
} DemoField;

typedef struct DemoType {
    const char *key, *name_de, *name_en, *description_de, *description_en, *icon;
    DemoField fields[8];
} DemoType;

static const DemoField SUMMARY = {
    "summary", "text", "Zusammenfassung", "Summary",
    "Beschreiben Sie Ihr Anliegen in einem Satz, möglichst konkret: "
    "„Fehler bei der Übernahme von Ausgangsbelegen“ statt „geht nicht“.",
    "Describe your concern in one specific sentence: \"Error when transferring outgoing "
    "documents\" rather than \"doesn't work\".",
    true, NULL};
static const DemoField DESCRIPTION = {
    "description", "textarea", "Beschreibung", "Description",
    "Was ist passiert, was haben Sie erwartet? Je detaillierter, desto schneller können wir "
    "helfen.",
    "What happened, and what did you expect? The more detail, the faster we can help.", true,
    NULL};

static const DemoType DEMO_TYPES[] = {
    {"problem", "Technisches Problem", "Technical problem",
     "Etwas funktioniert nicht wie erwartet: Fehlermeldungen, Abstürze, falsche Ergebnisse.",
     "Something does not work as expected: error messages, crashes, wrong results.",
     "bug",
     {{"product", "select", "Produkt", "Product", "", "", true, PRODUCT_OPTIONS},
      {"version", "text", "Betroffene Version", "Affected version",
       "Zu finden unter Hilfe › Über Beleglicht.", "See Help › About Beleglicht.", false, NULL},
      {"urgency", "select", "Dringlichkeit", "Urgency", "", "", true,
       "low|Niedrig – kann warten|Low – can wait\n"
       "normal|Normal|Normal\n"
       "high|Hoch – Arbeit stark behindert|High – work is seriously hindered\n"
       "critical|Kritisch – Stillstand|Critical – standstill"},
      {"occurred_on", "date", "Seit wann tritt das Problem auf?", "Since when does it happen?",
       "", "", false, NULL},
      {"steps", "textarea", "Schritte zum Nachstellen", "Steps to reproduce",
       "1. …  2. …  3. … – was genau haben Sie getan?", "1. …  2. …  3. … – what exactly did "
       "you do?", false, NULL},
      {"files", "attachments", "Anhänge", "Attachments",
       "Bildschirmfotos oder Protokolldateien helfen uns sehr.",
       "Screenshots or log files help us a lot.", false, NULL}}},
    {"import", "Fehler beim Import von Belegen", "Error when importing documents",
     "Belege, Kontoauszüge oder Rechnungen werden nicht oder falsch übernommen.",
     "Receipts, bank statements or invoices are not imported, or imported wrongly.",
     "import",
     {{"product", "select", "Produkt", "Product", "", "", true, PRODUCT_OPTIONS},
      {"document_kind", "select", "Art der Belege", "Kind of documents", "", "", true,
       "incoming|Eingangsrechnungen|Incoming invoices\n"
       "outgoing|Ausgangsbelege|Outgoing documents\n"
       "bank|Kontoauszüge|Bank statements\n"
       "other|Andere|Other"},
      {"error_message", "text", "Fehlermeldung", "Error message",
       "Bitte den genauen Wortlaut kopieren.", "Please copy the exact wording.", false, NULL},
      {"document_count", "number", "Anzahl betroffener Belege", "Number of affected documents",
       "", "", false, NULL},
      {"occurred_on", "date", "Datum des Imports", "Date of the import", "", "", false, NULL},
      {"files", "attachments", "Beispielbelege", "Sample documents",
       "Ein betroffener Beleg hilft uns, den Fehler nachzustellen.",
       "One affected document helps us reproduce the error.", false, NULL}}},
    {"question", "Frage zur Bedienung", "Question about usage",
     "Sie möchten wissen, wie etwas geht oder wo Sie eine Funktion finden.",
     "You would like to know how something works or where to find a feature.",
     "question",
     {{"product", "select", "Produkt", "Product", "", "", false, PRODUCT_OPTIONS},
      {"module", "text", "Bereich / Modul", "Area / module", "z. B. Mahnwesen, Export, Benutzer",
       "e.g. dunning, export, users", false, NULL}}},
    {"licence", "Lizenz und Vertrag", "Licence and contract",
     "Fragen zu Lizenzen, Verträgen, Rechnungen, Upgrades oder Kündigung.",
     "Questions about licences, contracts, invoices, upgrades or cancellation.",
     "key",
     {{"customer_number", "text", "Kundennummer", "Customer number",
       "Steht auf jeder Rechnung oben rechts.", "Printed at the top right of every invoice.",
       false, NULL},
      {"topics", "multiselect", "Themen", "Topics", "", "", true,
       "renewal|Verlängerung|Renewal\n"
       "upgrade|Upgrade / weitere Benutzer|Upgrade / more users\n"
       "invoice|Rechnung|Invoice\n"
       "cancel|Kündigung|Cancellation"},
      {"user_count", "number", "Anzahl Benutzer", "Number of users", "", "", false, NULL},
      {"contact_email", "email", "Rechnungsadresse (E-Mail)", "Billing address (e-mail)", "",
       "", false, NULL}}},
    {"idea", "Idee oder Verbesserungsvorschlag", "Idea or suggestion",
     "Ihnen fehlt eine Funktion oder Sie haben eine Idee, wie etwas besser geht.",
     "A feature is missing, or you have an idea how something could work better.",
     "idea",
     {{"product", "select", "Produkt", "Product", "", "", false, PRODUCT_OPTIONS},
      {"benefit", "textarea", "Was würde Ihnen das erleichtern?", "What would it make easier?",
       "", "", false, NULL},
      {"may_contact", "checkbox", "Sie dürfen mich für Rückfragen kontaktieren",
       "You may contact me with questions", "", "", false, NULL}}},
    {"other", "Sonstiges Anliegen", "Something else",
     "Alles, was in keine der anderen Kategorien passt.",
     "Anything that does not fit the other categories.",
     "chat",
     {{"files", "attachments", "Anhänge", "Attachments", "", "", false, NULL}}},
};

static DbResult demo_insert_type(Db *db, const DemoType *d, int position, int64_t now)
{
    RequestType t = {0};
    t.key = (char *)d->key;
    t.name_de = (char *)d->name_de;
    t.name_en = (char *)d->name_en;
    t.description_de = (char *)d->description_de;
    t.description_en = (char *)d->description_en;
    t.icon = (char *)d->icon;
    t.position = position;
    t.active = true;
    int64_t type_id = 0;
    DbResult r = store_request_type_insert(db, &t, now, &type_id);
    const DemoField *common[] = {&SUMMARY, &DESCRIPTION};
    int pos = 0;
    for (int i = 0; r == DB_OK && i < 2; i++) {
        RequestField f = {0, type_id, (char *)common[i]->key, (char *)common[i]->kind,
                          (char *)common[i]->label_de, (char *)common[i]->label_en,
                          (char *)common[i]->help_de, (char *)common[i]->help_en,
                          common[i]->required, NULL, pos++};
        r = store_request_field_insert(db, &f, NULL);
    }
    for (int i = 0; r == DB_OK && i < 8 && d->fields[i].key; i++) {
        const DemoField *x = &d->fields[i];
        RequestField f = {0,           type_id,           (char *)x->key,     (char *)x->kind,
                          (char *)x->label_de, (char *)x->label_en, (char *)x->help_de,
                          (char *)x->help_en,  x->required,       (char *)x->options, pos++};
        r = store_request_field_insert(db, &f, NULL);
    }
    return r;
}

static DbResult demo_insert_people(Db *db, int64_t now)
{
    int64_t org_id = 0, id = 0;
    DbResult r = store_organization_insert(db, "Muster Handels GmbH", "muster-handel.example",
                                           now, &org_id);
    User agent = {0, "agent@beleglicht.example", "Paula Berger", NULL, "agent", "de", 0,
                  true, false, 0};
    User anna = {0, "anna.schmidt@muster-handel.example", "Anna Schmidt", NULL, "customer",
                 "de", org_id, true, false, 0};
    User ben = {0, "ben.keller@muster-handel.example", "Ben Keller", NULL, "customer", "en",
                org_id, true, false, 0};
    if (r == DB_OK)
        r = store_user_insert(db, &agent, now, &id);
    if (r == DB_OK)
        r = store_user_insert(db, &anna, now, &id);
    if (r == DB_OK)
        r = store_user_insert(db, &ben, now, &id);
    return r;
}

static const struct {
    const char *name, *value;
} DEMO_SETTINGS[] = {
    {"portal_name", "Beleglicht Support"},
    {"welcome_de", "Willkommen im Supportportal der Beleglicht GmbH. Hier melden Sie Probleme, "
                   "stellen Fragen und verfolgen den Stand Ihrer Anfragen."},
    {"welcome_en", "Welcome to the Beleglicht support portal. Report problems, ask questions "
                   "and follow the progress of your requests here."},
};

DbResult demo_fill_if_empty(Db *db, bool *created)
{
    *created = false;
    bool empty = false;
    DbResult r = db_begin(db);
    if (r == DB_OK)
        r = store_is_empty(db, &empty);
    if (r != DB_OK || !empty) {
        db_rollback(db);
        return r;
    }
    int64_t now = clock_now();
    int n = (int)(sizeof DEMO_TYPES / sizeof DEMO_TYPES[0]);
    for (int i = 0; r == DB_OK && i < n; i++)
        r = demo_insert_type(db, &DEMO_TYPES[i], (i + 1) * 10, now);
    if (r == DB_OK)
        r = demo_insert_people(db, now);
    for (size_t i = 0; r == DB_OK && i < sizeof DEMO_SETTINGS / sizeof DEMO_SETTINGS[0]; i++)
        r = store_setting_set(db, DEMO_SETTINGS[i].name, DEMO_SETTINGS[i].value);
    if (r == DB_OK)
        r = db_commit(db);
    if (r != DB_OK) {
        db_rollback(db);
        log_error("event=demo_failed");
        return r;
    }
    *created = true;
    log_info("event=demo_created types=%d", n);
    return DB_OK;
}
