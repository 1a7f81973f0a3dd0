# jieshui_add_test(<name> SOURCES <files> LIBS <targets> LABELS <unit|integration|e2e>)
# A GoogleTest executable registered with ctest, one ctest entry per test case (gtest_discover_tests)
# carrying the given labels. Integration tests read the stack's addresses from the environment
# (JIESHUI_TEST_KAFKA, JIESHUI_TEST_REDIS, JIESHUI_TEST_PG) and default to the local stack's ports.
include(GoogleTest)

function(jieshui_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gmock GTest::gtest_main
                        jieshui_warnings)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 30)
endfunction()
