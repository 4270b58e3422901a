// Where the command-line client finds its server and key, highest precedence first: the
// --url/--api-key/--ca-cert flags, the DUCKSTORE_URL/DUCKSTORE_API_KEY/DUCKSTORE_CA_CERT environment
// variables, then a profile of the config file ($XDG_CONFIG_HOME or ~/.config)/duckstore/config.toml:
// `[default]` or `[<name>]` (--profile or DUCKSTORE_PROFILE) tables holding `url = "..."`,
// `api_key = "..."` and optionally `ca_cert = "..."` (the CA file an https server is verified with). The file
// holds a secret, so it is refused when anyone but its owner may read it (mode 0600), as ssh does with keys.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace duckstore::cli {

struct Endpoint {
  std::string url = "http://127.0.0.1:8000";
  std::string api_key;
  std::string ca_cert;  // empty: the system's CAs
};

struct EndpointFlags {
  std::string url, api_key, ca_cert, profile;
};

std::filesystem::path ConfigFilePath();
// Throws ApiError("invalid_config") for a file readable by others, a missing profile or a malformed line.
Endpoint ResolveEndpoint(const EndpointFlags& flags);
// The tables of a config file: {table: {key: value}}; keys before any table belong to "default".
std::map<std::string, std::map<std::string, std::string>> ParseConfigFile(const std::string& text);
// Writes `endpoint` as profile `profile` of the config file with mode 0600, keeping the other profiles.
void SaveProfile(const std::string& profile, const Endpoint& endpoint);

}  // namespace duckstore::cli
