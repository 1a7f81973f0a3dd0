# jieshui_proto_library(<target> DIR <folder> [DEPS <proto targets>])
#
# Turns every .proto under <folder> (relative to the repository's proto/ root) into a static
# library of generated protobuf + gRPC code. protoc writes into a scratch folder and the files are
# copied into the build tree only when they differ, so with Ninja an unchanged .proto rebuilds
# nothing downstream even when protoc runs again.
set(JIESHUI_PROTO_ROOT "${PROJECT_SOURCE_DIR}/proto")
set(JIESHUI_PROTO_OUT "${PROJECT_BINARY_DIR}/gen")
set(JIESHUI_PROTO_SCRATCH "${PROJECT_BINARY_DIR}/gen-scratch")

function(jieshui_proto_library target)
  cmake_parse_arguments(ARG "" "DIR" "DEPS" ${ARGN})
  file(GLOB protos CONFIGURE_DEPENDS "${JIESHUI_PROTO_ROOT}/${ARG_DIR}/*.proto")
  if(NOT protos)
    message(FATAL_ERROR "jieshui_proto_library(${target}): no .proto files in proto/${ARG_DIR}")
  endif()
  get_target_property(grpc_plugin gRPC::grpc_cpp_plugin LOCATION)
  set(srcs)
  foreach(proto ${protos})
    file(RELATIVE_PATH rel "${JIESHUI_PROTO_ROOT}" "${proto}")
    string(REGEX REPLACE "\\.proto$" "" stem "${rel}")
    set(outputs)
    set(copies)
    foreach(suffix .pb.h .pb.cc .grpc.pb.h .grpc.pb.cc)
      list(APPEND outputs "${JIESHUI_PROTO_OUT}/${stem}${suffix}")
      list(APPEND copies COMMAND ${CMAKE_COMMAND} -E copy_if_different
           "${JIESHUI_PROTO_SCRATCH}/${stem}${suffix}" "${JIESHUI_PROTO_OUT}/${stem}${suffix}")
    endforeach()
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND ${CMAKE_COMMAND} -E make_directory "${JIESHUI_PROTO_SCRATCH}" "${JIESHUI_PROTO_OUT}"
      COMMAND protobuf::protoc
              --proto_path=${JIESHUI_PROTO_ROOT}
              --cpp_out=${JIESHUI_PROTO_SCRATCH}
              --grpc_out=${JIESHUI_PROTO_SCRATCH}
              --plugin=protoc-gen-grpc=${grpc_plugin}
              "${proto}"
      ${copies}
      DEPENDS "${proto}" protobuf::protoc gRPC::grpc_cpp_plugin
      COMMENT "protoc ${rel}"
      # restat: an output whose contents did not change keeps its timestamp, so Ninja skips
      # everything that depends on it.
      VERBATIM)
    set_source_files_properties(${outputs} PROPERTIES GENERATED TRUE)
    list(APPEND srcs ${outputs})
  endforeach()
  add_library(${target} STATIC ${srcs})
  target_include_directories(${target} SYSTEM PUBLIC "${JIESHUI_PROTO_OUT}")
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf gRPC::grpc++ ${ARG_DEPS})
endfunction()
