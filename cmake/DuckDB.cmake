# Locates DuckDB 1.4.x and defines the imported target duckdb::duckdb.
# DUCKDB_ROOT (cache or environment) may point at any install with include/duckdb.hpp and lib/libduckdb.so;
# otherwise the npm pin installed by scripts/bootstrap.sh under .deps/duckdb is used.
set(DUCKDB_ROOT "$ENV{DUCKDB_ROOT}" CACHE PATH "DuckDB install prefix (include/, lib/)")
if(DUCKDB_ROOT)
  set(_duckdb_include_hint ${DUCKDB_ROOT}/include)
  set(_duckdb_lib_hint ${DUCKDB_ROOT}/lib ${DUCKDB_ROOT})
else()
  set(_pin ${CMAKE_CURRENT_SOURCE_DIR}/.deps/duckdb/node_modules)
  set(_duckdb_include_hint ${_pin}/duckdb/src/duckdb/src/include)
  set(_duckdb_lib_hint ${_pin}/@duckdb/node-bindings-linux-x64)
endif()

find_path(DUCKDB_INCLUDE_DIR duckdb.hpp HINTS ${_duckdb_include_hint} NO_DEFAULT_PATH)
find_library(DUCKDB_LIBRARY duckdb HINTS ${_duckdb_lib_hint} NO_DEFAULT_PATH)
if(NOT DUCKDB_INCLUDE_DIR OR NOT DUCKDB_LIBRARY)
  message(FATAL_ERROR "DuckDB not found: run scripts/bootstrap.sh, or set DUCKDB_ROOT to a DuckDB 1.4.x install")
endif()
get_filename_component(DUCKDB_LIBRARY_DIR ${DUCKDB_LIBRARY} DIRECTORY)

add_library(duckdb::duckdb SHARED IMPORTED GLOBAL)
# SYSTEM: DuckDB's headers are not ours to warn about.
set_target_properties(duckdb::duckdb PROPERTIES IMPORTED_LOCATION ${DUCKDB_LIBRARY}
                                                INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${DUCKDB_INCLUDE_DIR}
                                                INTERFACE_INCLUDE_DIRECTORIES ${DUCKDB_INCLUDE_DIR})
message(STATUS "DuckDB: ${DUCKDB_LIBRARY} (headers ${DUCKDB_INCLUDE_DIR})")
