#include "api/call_metrics.h"

#include <google/protobuf/descriptor.h>

#include "metrics/metrics.h"
#include "util/status.h"

namespace rowchain::api {
namespace {

namespace ex = grpc::experimental;

// The method's name when it is one this binary serves; "unknown" for anything a client made
// up, so that no caller can add label values (and memory) at will.
std::string MethodLabel(const char* path) {
  std::string name = path ? path : "";
  if (name.starts_with("/")) name.erase(0, 1);
  const size_t slash = name.find('/');
  if (slash == std::string::npos) return "unknown";
  name[slash] = '.';
  if (google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(name) == nullptr) return "unknown";
  return name;
}

class CallMetricsInterceptor : public ex::Interceptor {
 public:
  explicit CallMetricsInterceptor(ex::ServerRpcInfo* info) : m_method(MethodLabel(info->method())) {}

  void Intercept(ex::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(ex::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      metrics::Get()
          .grpc_calls.Add({{"method", m_method},
                           {"code", std::string(StatusCodeName(static_cast<StatusCode>(status.error_code())))}})
          .Increment();
    }
    methods->Proceed();
  }

 private:
  std::string m_method;
};

class CallMetricsFactory : public ex::ServerInterceptorFactoryInterface {
 public:
  ex::Interceptor* CreateServerInterceptor(ex::ServerRpcInfo* info) override { return new CallMetricsInterceptor(info); }
};

}  // namespace

std::unique_ptr<ex::ServerInterceptorFactoryInterface> MakeCallMetricsInterceptorFactory() {
  return std::make_unique<CallMetricsFactory>();
}

}  // namespace rowchain::api
