/* curl_lib: opens libcurl on first use (see curl_lib.h). */
#define CURL_LIB_LOADER /* the real names below, not the pointers */
#include "mail/curl_lib.h"
#include "core/dynlib.h"
#include <pthread.h>

#define CURL_LIBRARY "libcurl.so.4"

CurlLib curl_lib;
static bool loaded;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void)
{
#define CURL_LIB_SLOT(f) (void **)&curl_lib.f,
    static const char *const names[] = {CURL_LIB_FUNCTIONS(DYNLIB_NAME)};
    void **const slots[] = {CURL_LIB_FUNCTIONS(CURL_LIB_SLOT)};
#undef CURL_LIB_SLOT
    loaded = dynlib_open(CURL_LIBRARY, names, slots, sizeof names / sizeof *names) &&
             curl_lib.curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

bool curl_lib_load(void)
{
    pthread_once(&load_once, load);
    return loaded;
}

void curl_lib_cleanup(void)
{
    if (loaded)
        curl_lib.curl_global_cleanup();
}
