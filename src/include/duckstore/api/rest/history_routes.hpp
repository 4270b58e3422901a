// The REST routes of table history (history_routes.cpp), registered with the table routes.
#pragma once

#include "duckstore/api/rest/routes.hpp"

namespace duckstore::rest {

void AddHistoryRoutes(RestRoutes& routes, Services& services);

}  // namespace duckstore::rest
