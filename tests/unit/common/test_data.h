// Loading vendored vectors from tests/data/common.
#pragma once

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace common_test {

/// Parses tests/data/common/<name>; throws (failing the test) if missing or malformed.
inline nlohmann::json LoadJson(const std::string& name)
{
    const std::string path = std::string{MINIBIT_TEST_DATA_DIR} + "/common/" + name;
    std::ifstream file{path};
    if (!file) throw std::runtime_error("cannot open " + path);
    std::stringstream buf;
    buf << file.rdbuf();
    return nlohmann::json::parse(buf.str());
}

} // namespace common_test
