# Warnings and sanitizers for every Jieshui target (third-party headers are SYSTEM includes).
set(JIESHUI_SANITIZE "" CACHE STRING "Comma-separated sanitizers, e.g. address,undefined")
option(JIESHUI_WERROR "Treat warnings as errors" OFF)

add_library(jieshui_warnings INTERFACE)
target_compile_options(jieshui_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
if(JIESHUI_WERROR)
  target_compile_options(jieshui_warnings INTERFACE -Werror)
endif()

if(JIESHUI_SANITIZE)
  add_compile_options(-fsanitize=${JIESHUI_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${JIESHUI_SANITIZE})
endif()
