#include "common/grpc/generic_call.h"

#include <condition_variable>
#include <mutex>

namespace aura::common {

grpc::Status GenericUnaryCall(grpc::GenericStub& stub, grpc::ClientContext* context, const std::string& method,
                              const grpc::ByteBuffer& request, grpc::ByteBuffer* response) {
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  grpc::Status result;
  stub.UnaryCall(context, method, grpc::StubOptions(), &request, response, [&](grpc::Status status) {
    std::lock_guard lock(mu);
    result = std::move(status);
    done = true;
    done_cv.notify_one();
  });
  std::unique_lock lock(mu);
  done_cv.wait(lock, [&] { return done; });
  return result;
}

}  // namespace aura::common
