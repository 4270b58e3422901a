// The shared options of the client subcommands, job following, completion scripts.
#include "duckstore/cli/commands.hpp"

#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <thread>

#include "duckstore/cli/progress.hpp"

namespace duckstore::cli {
namespace {

constexpr auto kJobPollInterval = std::chrono::milliseconds(250);

// Every subcommand name and option of `app`, one level down, for the completion scripts.
void Words(const CLI::App& app, std::vector<std::string>& commands, std::vector<std::string>& options) {
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    commands.push_back(sub->get_name());
  }
  for (const auto* option : app.get_options()) {
    for (const auto& name : option->get_lnames()) options.push_back("--" + name);
    for (const auto& name : option->get_snames()) options.push_back("-" + name);
  }
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

}  // namespace

std::shared_ptr<std::string> Value(CLI::App& command, const std::string& name, const std::string& help,
                                   bool required) {
  auto value = std::make_shared<std::string>();
  auto* option = command.add_option(name, *value, help);
  if (required) option->required();
  return value;
}

nlohmann::json ListAll(const RestClient& client, const std::string& path, const std::string& field) {
  nlohmann::json items = nlohmann::json::array();
  for (int64_t offset = 0;;) {
    std::string separator = path.find('?') == std::string::npos ? "?" : "&";
    auto page = client.Call("GET", path + separator + "limit=1000&offset=" + std::to_string(offset));
    for (auto& item : page[field]) items.push_back(std::move(item));
    offset += 1000;
    if (offset >= page.value("total", int64_t{0})) return items;
  }
}

RestClient ClientOptions::Client() const {
  Endpoint endpoint = ResolveEndpoint(this->endpoint);
  return RestClient(endpoint.url, endpoint.api_key, endpoint.ca_cert);
}

const std::string& ClientOptions::Project() const {
  if (project.empty()) {
    throw ApiError(0, "missing_project", "this command needs --project (or -p) naming the project");
  }
  return project;
}

std::string ClientOptions::ProjectPath() const {
  return "/projects/" + Segment(Project());
}

std::string ClientOptions::BranchPath() const {
  return ProjectPath() + "/branches/" + Segment(branch);
}

std::string ClientOptions::TablePath(const std::string& bucket, const std::string& table) const {
  return BranchPath() + "/buckets/" + Segment(bucket) + "/tables/" + Segment(table);
}

void ClientOptions::Print(const nlohmann::json& rows, const std::vector<std::string>& columns) const {
  PrintRows(std::cout, Format(), rows, columns);
}

nlohmann::json FollowJob(const ClientOptions& options, const RestClient& client, const std::string& job_id) {
  Progress progress(std::cerr, "job " + job_id, 0, options.terminal);
  std::string path = options.ProjectPath() + "/jobs/" + Segment(job_id);
  for (;;) {
    auto job = client.Call("GET", path);
    std::string status = job.value("status", "");
    if (status == "succeeded") {
      progress.Phase("succeeded", 100);
      progress.Finish();
      return job;
    }
    if (status == "failed" || status == "cancelled") {
      progress.Phase(status, -1);
      progress.Finish();
      const auto& error = job["error"];
      std::string code = error.is_object() ? error.value("code", status) : status;
      std::string message = error.is_object() ? error.value("message", "job " + status) : "job " + status;
      throw ApiError(0, code, "job " + job_id + " " + status + ": " + message);
    }
    const auto& state = job["progress"];
    std::string phase = state.is_object() ? state.value("phase", "") : "";
    double percentage = state.is_object() ? state.value("percentage", -1.0) : -1.0;
    progress.Phase(phase.empty() ? status : status + " (" + phase + ")", percentage);
    std::this_thread::sleep_for(kJobPollInterval);
  }
}

std::string CompletionScript(const CLI::App& app, const std::string& shell) {
  // For each command path ("buckets", "buckets create"...), the words that may follow it.
  std::vector<std::pair<std::string, std::string>> cases;
  std::function<void(const CLI::App&, const std::string&)> walk = [&](const CLI::App& node,
                                                                      const std::string& path) {
    std::vector<std::string> commands, options;
    Words(node, commands, options);
    cases.emplace_back(path,
                       Join(commands) + (commands.empty() || options.empty() ? "" : " ") + Join(options));
    for (const auto* sub : node.get_subcommands([](const CLI::App*) { return true; })) {
      walk(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name());
    }
  };
  walk(app, "");
  std::string out;
  if (shell == "bash") {
    out += "# bash completion for duckstore (generated by `duckstore completion bash`)\n";
    out += "_duckstore() {\n  local cur=${COMP_WORDS[COMP_CWORD]} path=\"\" word i\n";
    out += "  for ((i = 1; i < COMP_CWORD; i++)); do word=${COMP_WORDS[i]}\n";
    out += "    [[ $word == -* ]] && continue\n";
    out += "    case \"${path:+$path }$word\" in\n";
    for (const auto& [path, words] : cases) {
      if (!path.empty()) out += "      \"" + path + "\") path=\"" + path + "\" ;;\n";
    }
    out += "    esac\n  done\n  local words\n  case \"$path\" in\n";
    for (const auto& [path, words] : cases) out += "    \"" + path + "\") words=\"" + words + "\" ;;\n";
    out +=
        "  esac\n  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n}\ncomplete -F _duckstore duckstore\n";
    return out;
  }
  if (shell == "zsh") {
    out += "#compdef duckstore\n# zsh completion for duckstore (generated by `duckstore completion zsh`)\n";
    out += "_duckstore() {\n  local path=\"\" word\n  local -a candidates\n";
    out += "  for word in ${words[2,CURRENT-1]}; do\n    [[ $word == -* ]] && continue\n";
    out += "    case \"${path:+$path }$word\" in\n";
    for (const auto& [path, words] : cases) {
      if (!path.empty()) out += "      \"" + path + "\") path=\"" + path + "\" ;;\n";
    }
    out += "    esac\n  done\n  case \"$path\" in\n";
    for (const auto& [path, words] : cases) out += "    \"" + path + "\") candidates=(" + words + ") ;;\n";
    out += "  esac\n  compadd -a candidates\n}\ncompdef _duckstore duckstore\n";
    return out;
  }
  throw ApiError(0, "invalid_shell", "completion is generated for bash or zsh");
}

void AddClientCommands(CLI::App& app, ClientOptions& options) {
  options.terminal = ::isatty(STDERR_FILENO) == 1;
  auto* group = "Client options";
  app.add_option("--url", options.endpoint.url,
                 "server URL [env DUCKSTORE_URL, default http://127.0.0.1:8000]")
      ->group(group);
  app.add_option("--api-key", options.endpoint.api_key,
                 "API key (prefer DUCKSTORE_API_KEY or the config file: flags show up in ps)")
      ->group(group);
  app.add_option("--ca-cert", options.endpoint.ca_cert,
                 "PEM CA file an https:// server's certificate is verified with (default: the system's) "
                 "[env DUCKSTORE_CA_CERT]")
      ->group(group);
  app.add_option("--profile", options.endpoint.profile,
                 "profile of ~/.config/duckstore/config.toml [env DUCKSTORE_PROFILE]")
      ->group(group);
  app.add_option("-o,--output", options.output, "table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->group(group);
  app.add_option("-p,--project", options.project, "project id")->group(group);
  app.add_option("-b,--branch", options.branch, "branch id (default: default)")->group(group);

  AddProjectCommands(app, options);
  AddDataCommands(app, options);
  AddTransferCommands(app, options);
  AddQueryCommand(app, options);
  AddHistoryCommands(app, options);

  auto* status = app.add_subcommand("status", "the server's health, version and readiness");
  status->callback([&options] {
    auto client = options.Client();
    auto health = client.Call("GET", "/health");
    nlohmann::json ready;
    try {
      ready = client.Call("GET", "/ready");
    } catch (const ApiError& e) {
      ready = {{"status", e.code()}};
    }
    options.Print({{"url", client.url()},
                   {"status", health.value("status", "")},
                   {"version", health.value("version", "")},
                   {"ready", ready.value("status", "")},
                   {"open_projects", ready.value("open_projects", 0)}});
  });

  auto* login = app.add_subcommand(
      "login",
      "store the server URL and an API key (read from stdin, never echoed) in the config file (0600)");
  auto login_profile = std::make_shared<std::string>("default");
  login->add_option("--as", *login_profile, "profile name to store them under");
  login->callback([&options, login_profile] {
    Endpoint endpoint;
    endpoint.url = options.endpoint.url.empty() ? Endpoint().url : options.endpoint.url;
    endpoint.ca_cert = options.endpoint.ca_cert;
    if (::isatty(STDIN_FILENO)) std::cerr << "API key for " << endpoint.url << ": " << std::flush;
    endpoint.api_key = options.endpoint.api_key;
    if (endpoint.api_key.empty()) {
      // Read without echo on a terminal; a pipe is read as is.
      if (::isatty(STDIN_FILENO)) {
        struct termios saved {};
        tcgetattr(STDIN_FILENO, &saved);
        struct termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
        std::getline(std::cin, endpoint.api_key);
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::cerr << "\n";
      } else {
        std::getline(std::cin, endpoint.api_key);
      }
    }
    if (endpoint.api_key.empty()) throw ApiError(0, "missing_key", "no API key given");
    RestClient(endpoint.url, endpoint.api_key, endpoint.ca_cert).Call("GET", "/whoami");  // the key works
    SaveProfile(*login_profile, endpoint);
    std::cerr << "saved profile [" << *login_profile << "] in " << ConfigFilePath().string() << "\n";
  });

  auto* completion = app.add_subcommand("completion", "print a bash or zsh completion script");
  auto shell = std::make_shared<std::string>();
  completion->add_option("shell", *shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
  completion->callback([&app, shell] { std::cout << CompletionScript(app, *shell); });
}

}  // namespace duckstore::cli
