# mempool_bench: sendrawtransaction and getblocktemplate load generator for
# mempool-bench.sh (issue 6). Signs its own transactions with minibit_common.
find_package(Boost 1.74 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
add_executable(mempool_bench ${CMAKE_CURRENT_LIST_DIR}/mempool_bench.cpp)
target_link_libraries(mempool_bench PRIVATE minibit_common Boost::headers
                      nlohmann_json::nlohmann_json Threads::Threads)
