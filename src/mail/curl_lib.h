/* curl_lib: libcurl, opened with dlopen the first time SMTP or IMAP is used instead of being
 * linked. It brings OpenSSL, Kerberos, LDAP, SSH and HTTP/2 libraries (about 1.5 MB of
 * resident memory) into every process that links it, and an instance delivering to a Maildir
 * never needs them. Include this instead of <curl/curl.h>: the names below stand for the
 * loaded functions, so the code reads like plain libcurl. Call them only after
 * curl_lib_load() returned true. */
#ifndef PFORTE_MAIL_CURL_LIB_H
#define PFORTE_MAIL_CURL_LIB_H
#define CURL_DISABLE_TYPECHECK /* curl_easy_setopt is called through a pointer */
#include <curl/curl.h>
#include <stdbool.h>

#define CURL_LIB_FUNCTIONS(X)                                                                      \
    X(curl_easy_cleanup)                                                                           \
    X(curl_easy_getinfo)                                                                           \
    X(curl_easy_init)                                                                              \
    X(curl_easy_perform)                                                                           \
    X(curl_easy_setopt)                                                                            \
    X(curl_easy_strerror)                                                                          \
    X(curl_free)                                                                                   \
    X(curl_global_cleanup)                                                                         \
    X(curl_global_init)                                                                            \
    X(curl_slist_append)                                                                           \
    X(curl_slist_free_all)                                                                         \
    X(curl_url)                                                                                    \
    X(curl_url_cleanup)                                                                            \
    X(curl_url_get)                                                                                \
    X(curl_url_set)

typedef struct CurlLib {
#define CURL_LIB_POINTER(f) __typeof__(f) *f;
    CURL_LIB_FUNCTIONS(CURL_LIB_POINTER)
#undef CURL_LIB_POINTER
} CurlLib;
extern CurlLib curl_lib;

/* Opens libcurl and runs its global init, once per process (thread-safe); false (logged once)
 * when the library or one of its functions is missing. */
bool curl_lib_load(void);
/* curl_global_cleanup when the library was loaded; for commands about to exit. */
void curl_lib_cleanup(void);

#ifndef CURL_LIB_LOADER
#undef curl_easy_getinfo /* curl.h's own macros that only count the arguments */
#undef curl_easy_setopt
#define curl_easy_cleanup curl_lib.curl_easy_cleanup
#define curl_easy_getinfo curl_lib.curl_easy_getinfo
#define curl_easy_init curl_lib.curl_easy_init
#define curl_easy_perform curl_lib.curl_easy_perform
#define curl_easy_setopt curl_lib.curl_easy_setopt
#define curl_easy_strerror curl_lib.curl_easy_strerror
#define curl_free curl_lib.curl_free
#define curl_global_cleanup curl_lib.curl_global_cleanup
#define curl_global_init curl_lib.curl_global_init
#define curl_slist_append curl_lib.curl_slist_append
#define curl_slist_free_all curl_lib.curl_slist_free_all
#define curl_url curl_lib.curl_url
#define curl_url_cleanup curl_lib.curl_url_cleanup
#define curl_url_get curl_lib.curl_url_get
#define curl_url_set curl_lib.curl_url_set
#endif

#endif
