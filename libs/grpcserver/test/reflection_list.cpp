// Test tool: lists the services a gRPC server reports through server reflection, and checks that
// each symbol given is describable (as grpcurl would need it). Runs as its own process so that the
// reflection messages it compiles in never meet the copy inside libgrpc++_reflection, which any
// binary linking jieshui_grpcserver carries (protobuf refuses a descriptor registered twice).
//   grpc_reflection_list <host:port> [symbol ...]
// Prints "service <name>" per service, then "described <symbol> <file count>" per symbol; exit 0
// when every call succeeded and every symbol was described.
#include <cstdio>
#include <string>

#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/grpcpp.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <host:port> [symbol ...]\n", argv[0]);
    return 2;
  }
  namespace refl = grpc::reflection::v1alpha;
  auto channel = grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials());
  auto stub = refl::ServerReflection::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto stream = stub->ServerReflectionInfo(&ctx);
  refl::ServerReflectionRequest list;
  list.set_list_services("");
  refl::ServerReflectionResponse listed;
  if (!stream->Write(list) || !stream->Read(&listed)) {
    std::fprintf(stderr, "reflection: list_services failed\n");
    return 1;
  }
  for (const auto& service : listed.list_services_response().service()) {
    std::printf("service %s\n", service.name().c_str());
  }
  int failures = 0;
  for (int i = 2; i < argc; ++i) {
    refl::ServerReflectionRequest describe;
    describe.set_file_containing_symbol(argv[i]);
    refl::ServerReflectionResponse described;
    if (!stream->Write(describe) || !stream->Read(&described) ||
        described.file_descriptor_response().file_descriptor_proto_size() == 0) {
      std::fprintf(stderr, "reflection: %s not described: %s\n", argv[i],
                   described.error_response().error_message().c_str());
      ++failures;
      continue;
    }
    std::printf("described %s %d\n", argv[i],
                described.file_descriptor_response().file_descriptor_proto_size());
  }
  stream->WritesDone();
  const grpc::Status status = stream->Finish();
  if (!status.ok()) {
    std::fprintf(stderr, "reflection: %s\n", status.error_message().c_str());
    return 1;
  }
  std::fflush(stdout);
  return failures == 0 ? 0 : 1;
}
