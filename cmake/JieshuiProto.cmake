# jieshui_proto_library(<target> DIR <folder> [ROOT <proto root>] [DEPS <proto targets>])
#
# Turns every .proto under <folder> (relative to ROOT, default the repository's proto/) into a static
# library of generated protobuf + gRPC code. protoc writes into a scratch folder and the files are
# copied into the build tree only when they differ, so with Ninja an unchanged .proto rebuilds
# nothing downstream even when protoc runs again.
set(JIESHUI_PROTO_ROOT "${PROJECT_SOURCE_DIR}/proto")
set(JIESHUI_PROTO_OUT "${PROJECT_BINARY_DIR}/gen")
set(JIESHUI_PROTO_SCRATCH "${PROJECT_BINARY_DIR}/gen-scratch")

function(jieshui_proto_library target)
  cmake_parse_arguments(ARG "" "DIR;ROOT" "DEPS" ${ARGN})
  set(root "${JIESHUI_PROTO_ROOT}")
  set(out "${JIESHUI_PROTO_OUT}")
  set(scratch "${JIESHUI_PROTO_SCRATCH}")
  if(ARG_ROOT)
    # Protos outside the contract tree (e.g. test-only services) get their own output folders.
    set(root "${ARG_ROOT}")
    set(out "${CMAKE_CURRENT_BINARY_DIR}/gen")
    set(scratch "${CMAKE_CURRENT_BINARY_DIR}/gen-scratch")
  endif()
  file(GLOB protos CONFIGURE_DEPENDS "${root}/${ARG_DIR}/*.proto")
  if(NOT protos)
    message(FATAL_ERROR "jieshui_proto_library(${target}): no .proto files in proto/${ARG_DIR}")
  endif()
  get_target_property(grpc_plugin gRPC::grpc_cpp_plugin LOCATION)
  set(srcs)
  foreach(proto ${protos})
    file(RELATIVE_PATH rel "${root}" "${proto}")
    string(REGEX REPLACE "\\.proto$" "" stem "${rel}")
    set(outputs)
    set(copies)
    foreach(suffix .pb.h .pb.cc .grpc.pb.h .grpc.pb.cc)
      list(APPEND outputs "${out}/${stem}${suffix}")
      list(APPEND copies COMMAND ${CMAKE_COMMAND} -E copy_if_different
           "${scratch}/${stem}${suffix}" "${out}/${stem}${suffix}")
    endforeach()
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND ${CMAKE_COMMAND} -E make_directory "${scratch}" "${out}"
      COMMAND protobuf::protoc
              --proto_path=${root} --proto_path=${JIESHUI_PROTO_ROOT}
              --cpp_out=${scratch}
              --grpc_out=${scratch}
              --plugin=protoc-gen-grpc=${grpc_plugin}
              "${proto}"
      ${copies}
      DEPENDS "${proto}" protobuf::protoc gRPC::grpc_cpp_plugin
      COMMENT "protoc ${rel}"
      VERBATIM)
    # The Ninja generator marks custom commands restat: an output whose contents did not change
    # keeps its timestamp, so nothing that includes it is rebuilt.
    set_source_files_properties(${outputs} PROPERTIES GENERATED TRUE)
    list(APPEND srcs ${outputs})
  endforeach()
  add_library(${target} STATIC ${srcs})
  target_include_directories(${target} SYSTEM PUBLIC "${out}" "${JIESHUI_PROTO_OUT}")
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf gRPC::grpc++ ${ARG_DEPS})
endfunction()
