/* curl_lib: opens libcurl on first use (see curl_lib.h). */
#define CURL_LIB_LOADER /* the real names below, not the pointers */
#include "mail/curl_lib.h"
#include "core/log.h"
#include <dlfcn.h>
#include <pthread.h>

#define CURL_LIBRARY "libcurl.so.4"

CurlLib curl_lib;
static bool loaded;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void)
{
    void *lib = dlopen(CURL_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        log_error("event=libcurl_unavailable error=\"%s\"", dlerror());
        return;
    }
#define CURL_LIB_RESOLVE(f)                                                                        \
    if (!(*(void **)&curl_lib.f = dlsym(lib, #f))) {                                               \
        log_error("event=libcurl_unavailable missing=" #f);                                        \
        return;                                                                                    \
    }
    CURL_LIB_FUNCTIONS(CURL_LIB_RESOLVE)
#undef CURL_LIB_RESOLVE
    loaded = curl_lib.curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (!loaded)
        log_error("event=libcurl_unavailable error=\"global init failed\"");
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
