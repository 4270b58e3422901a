// The dashboard at /ui: static files only (compiled in), served under a strict Content Security Policy. The
// pages call the REST API with the key the user logged in with and have no powers of their own; the security
// model is in docs/design/operations.md.
#pragma once

#include "duckstore/api/http/router.hpp"

namespace duckstore::ui {

// GET /ui and /ui/ (index.html) and /ui/{path...}: door "ui", unauthenticated (static files only).
void AddUiRoutes(http::Router& router);

}  // namespace duckstore::ui
