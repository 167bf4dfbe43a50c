/* request_create (domain): "Anfrage erstellen" - the form of a request type, the server-side
 * check of every field, and creating the request with everything it causes (number, field
 * values, search row, "created" event, attachments, sharing, invitations, confirmation mail)
 * in one transaction. No HTTP here.
 * SECURITY: every value is checked here whatever the browser did; a submit token makes a
 * resubmitted form create one request; invitations are rate-limited per reporter. */
#ifndef PFORTE_DOMAIN_REQUEST_CREATE_H
#define PFORTE_DOMAIN_REQUEST_CREATE_H
#include "core/arena.h"
#include "domain/attachments.h"
#include "domain/requests.h"
#include "store/catalog.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

/* Limits, in code points (Unicode characters) unless noted. */
#define REQUEST_MAX_SUMMARY 200
#define REQUEST_MAX_TEXT 1000
#define REQUEST_MAX_TEXTAREA 20000
#define REQUEST_MAX_EMAIL 254
#define REQUEST_MAX_NUMBER 32          /* characters of a number as typed */
#define REQUEST_MAX_FILES 10           /* files per attachments field */
#define REQUEST_MAX_PARTICIPANTS 10    /* addresses named when creating */
#define REQUEST_MAX_PARTICIPANTS_TEXT 4000 /* bytes of the addresses text */
#define REQUEST_MAX_ERRORS 64
#define REQUEST_INVITES_PER_HOUR 30    /* new accounts one reporter may invite */

/* Where an error belongs: a field's index, or one of these. */
#define REQUEST_ERROR_PARTICIPANTS (-1)
#define REQUEST_ERROR_FORM (-2)

typedef struct FieldOption {
    const char *value;
    const char *label_de;
    const char *label_en;
} FieldOption;

/* One field of a form: its definition and its parsed options (select, multiselect). */
typedef struct FormField {
    RequestField def;
    FieldOption *options;
    int option_count;
} FormField;

typedef struct RequestForm {
    RequestType type;
    FormField *fields;
    int field_count;
} RequestForm;

/* What the customer sent for one field. */
typedef struct FieldInput {
    const char **values;  /* as sent: one for most kinds, several for multiselect */
    int count;
    NewAttachment *files; /* attachments fields */
    int file_count;
} FieldInput;

typedef struct RequestError {
    int field;          /* index into the form's fields, or REQUEST_ERROR_* */
    const char *msgid;  /* English msgid, translated by the page */
    const char *detail; /* replaces %{value} in the message; may be NULL */
} RequestError;

typedef struct RequestErrors {
    RequestError items[REQUEST_MAX_ERRORS];
    int count;
} RequestErrors;

typedef struct NewRequest {
    const RequestForm *form;
    const FieldInput *inputs;  /* parallel to form->fields */
    const char *submit_token;  /* from the rendered form (request_submit_token_new) */
    bool share_organization;   /* with the reporter's organization, if any */
    const char *participants;  /* addresses separated by commas, semicolons, blanks, lines */
    bool by_mail;              /* sent by e-mail: only summary and description may be required;
                                * the type's other fields stay empty for an agent to fill in */
    const NewAttachment *files; /* files that belong to no field (a mail's attachments) */
    int file_count;
} NewRequest;

typedef struct CreatedRequest {
    int64_t id;
    const char *key;    /* "SUP-42" */
    bool existing;      /* the submit token had created it already: nothing new was made */
    bool mail_queued;   /* wake the mail worker after this */
} CreatedRequest;

/* Loads the active type with that key and its fields. REQUEST_NOT_FOUND when there is no
 * such active type. Everything lives in a. */
RequestResult request_form_load(Db *db, Arena *a, const char *type_key, RequestForm *out);
/* Parses "value|label_de|label_en" lines (missing labels fall back to the value; blank lines
 * are skipped). Returns the count; *out is an arena array. */
int request_options_parse(Arena *a, const char *text, FieldOption **out);
/* The label of an option value in lang, or NULL when the value is not among the options. */
const char *request_option_label(const FormField *f, const char *value, const char *lang);

/* Checks one field's input (required, syntax, options, limits - not attachment sizes).
 * Returns NULL when fine, with *clean set to the value to store ("" = nothing to store;
 * multiselect values joined by "\n" in option order; checkbox "1"); else an English msgid. */
const char *request_field_check(Arena *a, const FormField *f, const FieldInput *in,
                                const char **clean);
/* Splits and checks the participants' addresses: lowercased, without duplicates and without
 * self_email. Returns NULL when fine (*emails an arena array, *count), else a msgid and
 * *bad the offending address (or NULL). */
const char *request_participants_parse(Arena *a, const char *text, const char *self_email,
                                       const char ***emails, int *count, const char **bad);
/* True when the whole input of a form is valid; every problem goes into errors. clean
 * (array of form->field_count, may be NULL) receives request_field_check's values. */
bool request_form_validate(Arena *a, const NewRequest *n, const char *self_email,
                           RequestErrors *errors, const char **clean);

/* A fresh submit token for a rendered form (43 URL-safe characters + NUL). */
void request_submit_token_new(char out[44]);
/* True when token could have come from request_submit_token_new. */
bool request_submit_token_valid(const char *token);

/* Creates the request for viewer (the reporter) in one transaction: number, row, field
 * values, search row, "created" event, attachments, participants (unknown addresses get a
 * customer account without password and an invitation; known ones a note), organization
 * sharing, and the confirmation mail to the reporter (its Message-ID is kept for threading).
 * A submit token that created a request already returns that request (out->existing) and
 * changes nothing. REQUEST_INVALID with errors filled; REQUEST_UNAVAILABLE when the database
 * is busy; REQUEST_ERROR for bugs. After REQUEST_OK with out->mail_queued, wake the worker. */
RequestResult request_create(Db *db, Arena *a, const Viewer *viewer, const NewRequest *n,
                             int64_t now, RequestErrors *errors, CreatedRequest *out);

/* The confirmation mail of request `number` to its reporter, in the reporter's language,
 * appended to out as RFC 5322 bytes dated `now`. request_create queues it without bytes
 * (outbox compose "request_created"); the mail worker calls this when it delivers it.
 * False when the request or reporter is gone or the mail cannot be built. */
bool request_confirmation_build(Db *db, Arena *a, int64_t number, int64_t now, Buf *out);

#endif
