# rpc_bench: JSON-RPC load generator for rpc-bench.sh (issue 5); Boost and
# nlohmann_json headers only, no minibit library.
find_package(Boost 1.74 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
add_executable(rpc_bench ${CMAKE_CURRENT_LIST_DIR}/rpc_bench.cpp)
target_link_libraries(rpc_bench PRIVATE Boost::headers nlohmann_json::nlohmann_json Threads::Threads)
