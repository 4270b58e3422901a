// The OpenAPI 3 document of the REST API, compiled in from docs/openapi.json.
#pragma once

#include <string_view>

namespace duckstore::rest {

std::string_view OpenApiDocument();

}  // namespace duckstore::rest
