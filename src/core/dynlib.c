/* dynlib: opening a library on first use (see dynlib.h). */
#include "core/dynlib.h"
#include "core/log.h"
#include <dlfcn.h>

bool dynlib_open(const char *soname, const char *const names[], void **const slots[],
                 size_t count)
{
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        log_error("event=library_unavailable library=%s error=\"%s\"", soname, dlerror());
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        *slots[i] = dlsym(lib, names[i]);
        if (!*slots[i]) {
            log_error("event=library_unavailable library=%s missing=%s", soname, names[i]);
            return false;
        }
    }
    return true;
}
