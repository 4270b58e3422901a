# Compiles every .proto under proto/ into the static library duckstore_proto (messages + gRPC services).
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)

set(PROTO_ROOT ${CMAKE_CURRENT_SOURCE_DIR}/proto)
set(PROTO_OUT ${CMAKE_CURRENT_BINARY_DIR}/proto_gen)
file(GLOB_RECURSE PROTO_FILES CONFIGURE_DEPENDS ${PROTO_ROOT}/*.proto)
file(MAKE_DIRECTORY ${PROTO_OUT})

set(PROTO_SOURCES)
foreach(proto ${PROTO_FILES})
  file(RELATIVE_PATH rel ${PROTO_ROOT} ${proto})
  string(REGEX REPLACE "\\.proto$" "" stem ${rel})
  set(outs ${PROTO_OUT}/${stem}.pb.cc ${PROTO_OUT}/${stem}.pb.h ${PROTO_OUT}/${stem}.grpc.pb.cc
           ${PROTO_OUT}/${stem}.grpc.pb.h)
  add_custom_command(
    OUTPUT ${outs}
    COMMAND protobuf::protoc -I${PROTO_ROOT} --cpp_out=${PROTO_OUT} --grpc_out=${PROTO_OUT}
            --plugin=protoc-gen-grpc=${GRPC_CPP_PLUGIN} ${proto}
    DEPENDS ${proto}
    COMMENT "protoc ${rel}")
  list(APPEND PROTO_SOURCES ${PROTO_OUT}/${stem}.pb.cc ${PROTO_OUT}/${stem}.grpc.pb.cc)
endforeach()

add_library(duckstore_proto STATIC ${PROTO_SOURCES})
target_include_directories(duckstore_proto SYSTEM PUBLIC ${PROTO_OUT})
target_link_libraries(duckstore_proto PUBLIC protobuf::libprotobuf gRPC::grpc++ gRPC::grpc++_reflection)
