# secp_rate: raw libsecp256k1 verification rate for reindex-bench.sh.
# Included from contrib/bench/CMakeLists.txt (kept apart so the chaingen
# target and this one can change independently).
add_executable(secp_rate ${CMAKE_CURRENT_LIST_DIR}/secp_rate.cpp)
target_link_libraries(secp_rate PRIVATE PkgConfig::SECP256K1 Threads::Threads)
