// What every JSON document of libcpmu/src/format shares: the head each one
// starts with, errors, and the snake_case spellings of the enums whose
// library names are written for people ("root port", "owned by a kernel
// driver"). nlohmann_json stays behind this directory.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "cpmu/cpmu_capabilities.hpp"
#include "cpmu/discovery.hpp"
#include "cpmu/result.hpp"

namespace cpmu::detail {

using Json = nlohmann::ordered_json;

Json document_head(std::string_view type);   // {"schema_version": N, "type": type}
Json error_json(const Error& error);         // {"code": "not_found", "message": ...}
Json errors_json(const std::vector<Error>& errors);

std::string pretty_document(const Json& document);   // indented, newline-terminated
std::string line_document(const Json& document);     // one line, no newline

std::string_view errc_spelling(Errc code);                // "owned_by_driver"
std::string_view component_kind_spelling(ComponentKind kind);   // "switch_upstream_port"
// A lowercase library name as one snake_case token: "free-running" ->
// "free_running", "access latency" -> "access_latency".
std::string snake_case(std::string_view name);

}  // namespace cpmu::detail
