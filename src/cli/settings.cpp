#include "duckstore/cli/settings.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "duckstore/cli/rest_client.hpp"

namespace duckstore::cli {
namespace {

[[noreturn]] void Invalid(const std::string& message) {
  throw ApiError(0, "invalid_config", message);
}

std::string Trim(const std::string& text) {
  size_t start = text.find_first_not_of(" \t\r");
  if (start == std::string::npos) return "";
  return text.substr(start, text.find_last_not_of(" \t\r") - start + 1);
}

// A TOML basic string ("...", with \" and \\ escapes) or a bare word.
std::string Value(const std::string& raw, int line) {
  if (raw.empty() || raw.front() != '"') return raw;
  std::string out;
  for (size_t i = 1; i < raw.size(); ++i) {
    if (raw[i] == '"') return out;
    if (raw[i] == '\\' && i + 1 < raw.size()) ++i;
    out += raw[i];
  }
  Invalid("config line " + std::to_string(line) + ": unterminated string");
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string Quoted(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::filesystem::path ConfigFilePath() {
  std::string base = Env("XDG_CONFIG_HOME");
  if (base.empty()) base = Env("HOME") + "/.config";
  return std::filesystem::path(base) / "duckstore" / "config.toml";
}

std::map<std::string, std::map<std::string, std::string>> ParseConfigFile(const std::string& text) {
  std::map<std::string, std::map<std::string, std::string>> tables;
  std::string table = "default";
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '[') {
      if (line.back() != ']') Invalid("config line " + std::to_string(number) + ": malformed table header");
      table = Trim(line.substr(1, line.size() - 2));
      continue;
    }
    auto equals = line.find('=');
    if (equals == std::string::npos)
      Invalid("config line " + std::to_string(number) + ": expected key = value");
    tables[table][Trim(line.substr(0, equals))] = Value(Trim(line.substr(equals + 1)), number);
  }
  return tables;
}

Endpoint ResolveEndpoint(const EndpointFlags& flags) {
  Endpoint endpoint;
  std::string profile = !flags.profile.empty() ? flags.profile : Env("DUCKSTORE_PROFILE");
  auto path = ConfigFilePath();
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) {
    if (info.st_mode & (S_IRWXG | S_IRWXO)) {
      Invalid(path.string() + " holds an API key but others may read it; run: chmod 600 " + path.string());
    }
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto tables = ParseConfigFile(text.str());
    auto found = tables.find(profile.empty() ? "default" : profile);
    if (found == tables.end() && !profile.empty())
      Invalid("no profile [" + profile + "] in " + path.string());
    if (found != tables.end()) {
      if (found->second.contains("url")) endpoint.url = found->second["url"];
      if (found->second.contains("api_key")) endpoint.api_key = found->second["api_key"];
      if (found->second.contains("ca_cert")) endpoint.ca_cert = found->second["ca_cert"];
    }
  } else if (!profile.empty()) {
    Invalid("profile '" + profile + "' asked for, but there is no " + path.string());
  }
  if (auto url = Env("DUCKSTORE_URL"); !url.empty()) endpoint.url = url;
  if (auto key = Env("DUCKSTORE_API_KEY"); !key.empty()) endpoint.api_key = key;
  if (auto ca = Env("DUCKSTORE_CA_CERT"); !ca.empty()) endpoint.ca_cert = ca;
  if (!flags.url.empty()) endpoint.url = flags.url;
  if (!flags.api_key.empty()) endpoint.api_key = flags.api_key;
  if (!flags.ca_cert.empty()) endpoint.ca_cert = flags.ca_cert;
  return endpoint;
}

void SaveProfile(const std::string& profile, const Endpoint& endpoint) {
  auto path = ConfigFilePath();
  std::map<std::string, std::map<std::string, std::string>> tables;
  if (std::ifstream in(path); in) {
    std::stringstream text;
    text << in.rdbuf();
    tables = ParseConfigFile(text.str());
  }
  tables[profile] = {{"url", endpoint.url}, {"api_key", endpoint.api_key}};
  if (!endpoint.ca_cert.empty()) tables[profile]["ca_cert"] = endpoint.ca_cert;
  std::filesystem::create_directories(path.parent_path());
  // A new file, made 0600 before the key is written into it, then renamed over the old one.
  auto temporary = path;
  temporary += ".tmp";
  std::filesystem::remove(temporary);
  {
    std::ofstream out(temporary);
    std::filesystem::permissions(temporary,
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    for (const auto& [table, values] : tables) {
      out << "[" << table << "]\n";
      for (const auto& [key, value] : values) out << key << " = " << Quoted(value) << "\n";
      out << "\n";
    }
    if (!out) Invalid("cannot write " + temporary.string());
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace duckstore::cli
