// Loading vendored vectors from tests/data.
#pragma once

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace common_test {

/// Parses tests/data/<relative>; throws (failing the test) if missing or malformed.
inline nlohmann::json LoadDataJson(const std::string& relative)
{
    const std::string path = std::string{MINIBIT_TEST_DATA_DIR} + "/" + relative;
    std::ifstream file{path};
    if (!file) throw std::runtime_error("cannot open " + path);
    std::stringstream buf;
    buf << file.rdbuf();
    return nlohmann::json::parse(buf.str());
}

/// Parses tests/data/common/<name>; throws (failing the test) if missing or malformed.
inline nlohmann::json LoadJson(const std::string& name)
{
    return LoadDataJson("common/" + name);
}

} // namespace common_test
