# jieshui_embed_migrations(<target> DIR <folder> NAMESPACE <c++ namespace>)
#
# Compiles the service's numbered SQL migrations (<folder>/NNNN_name.sql) into <target> as
#   std::vector<std::pair<std::string, std::string>> <namespace>::EmbeddedMigrationFiles();
# (file name, SQL text), for jieshui::db::ParseMigrations. The binary then carries its own schema
# and does not depend on the working directory or an installed migrations folder.
set(JIESHUI_EMBED_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/JieshuiEmbedMigrations.cmake")

function(jieshui_embed_migrations target)
  cmake_parse_arguments(ARG "" "DIR;NAMESPACE" "" ${ARGN})
  file(GLOB sql_files CONFIGURE_DEPENDS "${ARG_DIR}/*.sql")
  list(SORT sql_files)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cpp")
  # A ';' inside a COMMAND argument would split it; pass the list joined with '|'.
  string(REPLACE ";" "|" files_arg "${sql_files}")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${ARG_NAMESPACE} "-DFILES=${files_arg}"
            -P "${JIESHUI_EMBED_SCRIPT}"
    DEPENDS ${sql_files} "${JIESHUI_EMBED_SCRIPT}"
    COMMENT "embedding migrations of ${target}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
