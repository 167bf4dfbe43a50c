/* sla_routes: the admin page for SLA targets and the working-hours calendar. */
#include "desk/desk.h"

const Route SLA_ROUTES[] = {
    {0},
};
