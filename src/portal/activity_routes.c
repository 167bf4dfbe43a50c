/* activity_routes: the routes of one request's page and everything done on it. */
#include "portal/portal.h"

const Route ACTIVITY_ROUTES[] = {
    {0, 0, 0},
};
