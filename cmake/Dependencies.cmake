# Every dependency is a Debian package (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(spdlog REQUIRED)
find_package(tomlplusplus 3 REQUIRED)
find_package(PkgConfig REQUIRED)
# MariaDB Connector/C (Debian's libmariadb-dev), the libmysqlclient API.
pkg_check_modules(MARIADB REQUIRED IMPORTED_TARGET libmariadb)
# zstd (Debian's libzstd-dev): stored block bodies, batches and undo images.
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
# jemalloc (Debian's libjemalloc-dev) for rowchaind: its writers' path allocates and frees many
# small objects on many threads, where glibc's malloc costs a fifth of the daemon's CPU
# (BENCHMARKS.md, "Node"). Not with the sanitizers, which bring their own allocator.
option(ROWCHAIN_JEMALLOC "Link rowchaind with jemalloc" ON)
if(ROWCHAIN_JEMALLOC AND NOT ROWCHAIN_SANITIZE)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
endif()
# librdkafka (Debian's librdkafka-dev), with its mock cluster for tests and the dev broker.
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
# gRPC and Protobuf (Debian's libgrpc++-dev, protobuf-compiler-grpc, libprotobuf-dev).
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_program(ROWCHAIN_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
# prometheus-cpp (Debian's prometheus-cpp-dev) for the metrics registry and its text format,
# and civetweb, which it brings, for the monitoring listener (/metrics, the status page).
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(civetweb CONFIG REQUIRED)
if(ROWCHAIN_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
