// DAS wire codec: DuckDB types and values to and from com.rawlabs.protocol.das.v1 types and values, in
// four parts: types (codec_types.hpp, the DuckDB -> DAS type table), values out (codec_to_das.hpp), values
// in (codec_from_das.hpp) and chunk rows (codec_rows.hpp). Including this header includes them all.
#pragma once

#include "duckstore/api/das/codec_from_das.hpp"
#include "duckstore/api/das/codec_rows.hpp"
#include "duckstore/api/das/codec_to_das.hpp"
#include "duckstore/api/das/codec_types.hpp"
