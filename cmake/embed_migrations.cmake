# Writes OUTPUT, a C++ file holding every migrations/NNNN_name.sql as a raw
# string, so the postimap binary carries its own schema steps.
file(GLOB files "${MIGRATIONS_DIR}/*.sql")
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  get_filename_component(base "${f}" NAME_WE)
  string(REGEX MATCH "^([0-9]+)_(.+)$" _ "${base}")
  if(NOT CMAKE_MATCH_1)
    message(FATAL_ERROR "migration file name must be NNNN_name.sql: ${f}")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  set(name "${CMAKE_MATCH_2}")
  file(READ "${f}" sql)
  string(APPEND body "    {${version}, \"${name}\", R\"postimap_sql(${sql})postimap_sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from migrations/*.sql by cmake/embed_migrations.cmake. Do not edit.\n"
"#include \"storage/migrations.hpp\"\n\n"
"namespace postimap::storage {\n"
"const std::vector<Migration>& embedded_migrations() {\n"
"    static const std::vector<Migration> all = {\n${body}    };\n"
"    return all;\n"
"}\n"
"}  // namespace postimap::storage\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
