/* request_routes: the routes of creating requests and the "Anfragen" list. */
#include "portal/portal.h"

const Route REQUEST_ROUTES[] = {
    {0, 0, 0},
};
