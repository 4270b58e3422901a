// Every entry point of every door declares its access (services/auth/entry_points.hpp), and the declarations
// are coherent: every REST route (checked against the OpenAPI document too), every storage driver command
// of the contract's proto files, every S3 operation the dispatcher can select and every method of the DAS
// proto services and every message a PostgreSQL client can send. A new entry point without a declaration
// fails here. Also AuthorizeEntry's target rules.
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "com/rawlabs/protocol/das/v1/services/functions_service.grpc.pb.h"
#include "com/rawlabs/protocol/das/v1/services/health_service.grpc.pb.h"
#include "com/rawlabs/protocol/das/v1/services/registration_service.grpc.pb.h"
#include "com/rawlabs/protocol/das/v1/services/tables_service.grpc.pb.h"
#include "duckstore/api/das/access.hpp"
#include "duckstore/api/driver/dispatcher.hpp"
#include "duckstore/api/driver/transport.hpp"
#include "duckstore/api/pgwire/access.hpp"
#include "duckstore/api/rest/openapi.hpp"
#include "duckstore/api/rest/routes.hpp"
#include "duckstore/api/s3/operations.hpp"
#include "duckstore/api/s3/s3_api.hpp"
#include "duckstore/api/ui/ui_routes.hpp"
#include "duckstore/services/files/file_access.hpp"
#include "duckstore/services/services.hpp"
#include "duckstore/services/workspaces/sql_session.hpp"
#include "services_fixture.hpp"

namespace duckstore {
namespace {

using testing::CaptureError;
using AccessDeclarationsTest = testing::ServicesFixture;

bool Contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

TEST_F(AccessDeclarationsTest, EveryHttpRouteIsDeclaredAndDocumented) {
  // The routes exactly as the server registers them (server/app.cpp).
  http::Router router;
  rest::AddRestRoutes(router, services_);
  rest::AddMetricsRoute(router, services_, "");
  ui::AddUiRoutes(router);
  driver::Dispatcher dispatcher(services_);
  driver::AddDriverRoute(router, dispatcher);
  s3::AddS3Routes(router, {services_.auth, services_.objects, services_.multipart}, {});

  const std::set<std::string> public_routes = {
      "GET /", "GET /health", "GET /ready", "GET /openapi.json", "GET /ui", "GET /ui/{path...}"};
  std::set<std::string> declared;
  for (const auto& route : router.EntryPoints()) {
    const EntryPoint& entry = route.entry;
    std::string name = route.method + " " + route.pattern;
    SCOPED_TRACE(name);
    declared.insert(name);
    EXPECT_FALSE(entry.door.empty());
    EXPECT_FALSE(entry.operation.empty());
    switch (entry.credentials) {
      case Credentials::kNone:
        EXPECT_TRUE(public_routes.contains(name)) << "an unauthenticated route that is not meant to be";
        break;
      case Credentials::kMetricsToken:
        EXPECT_EQ(name, "GET /metrics") << "only the metrics route takes the scraper token";
        EXPECT_EQ(entry.target, TargetFrom::kServer);
        EXPECT_EQ(entry.access, Access::kServerAdmin);
        break;
      case Credentials::kDelegated:
        // Only the doors that declare their own entry points (driver commands, S3 operations) delegate.
        EXPECT_TRUE(entry.door == "driver" || entry.door == "s3");
        break;
      case Credentials::kApiKey:
        EXPECT_EQ(entry.door, "rest");
        EXPECT_EQ(entry.operation, name);
        // The target must be readable from the path as declared.
        switch (entry.target) {
          case TargetFrom::kNone:
            EXPECT_EQ(name, "GET /whoami") << "only a key asking about itself needs no target";
            break;
          case TargetFrom::kServer:
            EXPECT_EQ(entry.access, Access::kServerAdmin);
            break;
          case TargetFrom::kBranch:
            EXPECT_TRUE(Contains(route.pattern, "{branch_id}"));
            [[fallthrough]];
          case TargetFrom::kProject:
          case TargetFrom::kProjectAnyBranch:
          case TargetFrom::kRecord:
            EXPECT_TRUE(Contains(route.pattern, "{project_id}"));
            EXPECT_NE(entry.access, Access::kServerAdmin);
            break;
          default:
            ADD_FAILURE() << "a REST route cannot resolve target " << ToString(entry.target);
        }
        break;
      default:
        ADD_FAILURE() << "unexpected credentials " << ToString(entry.credentials);
    }
  }
  EXPECT_TRUE(public_routes.contains("GET /health") && declared.contains("GET /health"));
  EXPECT_TRUE(declared.contains("* /s3/..."));

  // Every documented operation is a declared route, and every declared REST route is documented.
  auto openapi = nlohmann::json::parse(rest::OpenApiDocument());
  std::set<std::string> documented;
  for (const auto& [path, operations] : openapi["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      if (method == "parameters") continue;
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(upper + " " + path);
    }
  }
  for (const auto& name : documented) EXPECT_TRUE(declared.contains(name)) << name << " is not declared";
  for (const auto& route : router.EntryPoints()) {
    if (route.method == "*") continue;  // the S3 API, documented in docs/design/s3.md
    std::string name = route.method + " " + route.pattern;
    EXPECT_TRUE(documented.contains(name)) << name << " is not in docs/openapi.json";
  }
}

TEST_F(AccessDeclarationsTest, EveryDriverCommandIsDeclared) {
  driver::Dispatcher dispatcher(services_);
  std::map<std::string, EntryPoint> declared;
  for (const auto& entry : dispatcher.registry().EntryPoints()) declared.emplace(entry.operation, entry);

  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  size_t commands = 0;
  for (const char* file : {"keboola/storage_driver/backend.proto", "keboola/storage_driver/project.proto",
                           "keboola/storage_driver/bucket.proto", "keboola/storage_driver/table.proto",
                           "keboola/storage_driver/info.proto", "keboola/storage_driver/execute_query.proto",
                           "keboola/storage_driver/workspace.proto"}) {
    const auto* descriptor = pool->FindFileByName(file);
    ASSERT_NE(descriptor, nullptr) << file;
    for (int i = 0; i < descriptor->message_type_count(); ++i) {
      const std::string& name = descriptor->message_type(i)->full_name();
      if (!name.ends_with("Command")) continue;
      ++commands;
      EXPECT_TRUE(declared.contains(name)) << name << " has no registration (and so no access declaration)";
    }
  }
  EXPECT_EQ(commands, 46u);  // the contract's list (tests/e2e/test_driver_coverage.py)

  for (const auto& [name, entry] : declared) {
    SCOPED_TRACE(name);
    EXPECT_EQ(entry.door, "driver");
    EXPECT_EQ(entry.credentials, Credentials::kApiKey);
    if (entry.target == TargetFrom::kServer) {
      EXPECT_EQ(entry.access, Access::kServerAdmin);
    } else {
      EXPECT_TRUE(entry.target == TargetFrom::kBranch ||
                  entry.target == TargetFrom::kNone);  // kNone: unsupported
      EXPECT_NE(entry.access, Access::kServerAdmin);
    }
  }
}

TEST(AccessDeclarations, EveryS3OperationIsDeclared) {
  std::set<std::string> names;
  for (int i = 0; i < static_cast<int>(s3::S3Op::kCount); ++i) {
    auto op = static_cast<s3::S3Op>(i);
    SCOPED_TRACE(i);
    const s3::S3Operation* operation = nullptr;
    ASSERT_NO_THROW(operation = &s3::S3OperationOf(op));
    EXPECT_EQ(operation->op, op);
    EXPECT_NE(operation->handler, nullptr);
    const EntryPoint& entry = operation->entry;
    EXPECT_EQ(entry.door, "s3");
    EXPECT_TRUE(entry.access == Access::kRead || entry.access == Access::kWrite);
    EXPECT_TRUE(names.insert(entry.operation).second) << entry.operation << " declared twice";
    if (op == s3::S3Op::kPreflightCors) {
      // The browser's preflight carries no credentials and only reads the bucket's CORS rules.
      EXPECT_EQ(entry.credentials, Credentials::kNone);
      EXPECT_EQ(entry.target, TargetFrom::kNone);
      continue;
    }
    EXPECT_EQ(entry.credentials, Credentials::kSigV4);
    EXPECT_TRUE(entry.target == TargetFrom::kObjectBucket || entry.target == TargetFrom::kCallerProject ||
                entry.target == TargetFrom::kCallerItems);
  }
  EXPECT_EQ(s3::S3EntryPoints().size(), static_cast<size_t>(s3::S3Op::kCount));
  EXPECT_THROW(s3::S3OperationOf(s3::S3Op::kCount), std::logic_error);
}

TEST(AccessDeclarations, EveryDasRpcIsDeclared) {
  namespace pb = com::rawlabs::protocol::das::v1::services;
  std::map<std::string, EntryPoint> declared;
  for (const auto& entry : das::DasEntryPoints()) {
    EXPECT_EQ(entry.door, "das");
    EXPECT_TRUE(declared.emplace(entry.operation, entry).second) << entry.operation << " declared twice";
  }
  // Touch one message of each service's file so its descriptors are linked into the generated pool (the
  // health service is registered by the server, not referenced by the unit test binary otherwise).
  pb::HealthCheckRequest::descriptor();
  pb::RegisterRequest::descriptor();
  pb::GetTableDefinitionsRequest::descriptor();
  pb::GetFunctionDefinitionsRequest::descriptor();
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  size_t methods = 0;
  for (const char* service_name :
       {pb::HealthCheckService::service_full_name(), pb::RegistrationService::service_full_name(),
        pb::TablesService::service_full_name(), pb::FunctionsService::service_full_name()}) {
    const auto* service = pool->FindServiceByName(service_name);
    ASSERT_NE(service, nullptr) << service_name;
    for (int i = 0; i < service->method_count(); ++i, ++methods) {
      std::string name = service->name() + "/" + service->method(i)->name();
      auto found = declared.find(name);
      ASSERT_NE(found, declared.end()) << name << " has no access declaration";
      if (service->name() == "TablesService" || service->name() == "FunctionsService") {
        EXPECT_EQ(found->second.credentials, Credentials::kRegistration) << name;
        EXPECT_EQ(found->second.target, TargetFrom::kRegistration) << name;
      }
    }
  }
  EXPECT_EQ(methods, declared.size()) << "a declaration names no DAS method";
  EXPECT_EQ(declared.at("TablesService/InsertTable").access, Access::kWrite);
  EXPECT_EQ(declared.at("TablesService/ExecuteTable").access, Access::kRead);
}

// Declarations of every alternative of a message variant, constructed by index (a new message type added to
// the codec without a declaration fails here).
template <class Variant, size_t... I>
std::vector<EntryPoint> EntriesOfEveryAlternative(std::index_sequence<I...>) {
  return {pgwire::PgEntryOf(Variant(std::in_place_index<I>))...};
}

TEST(AccessDeclarations, EveryPgMessageIsDeclared) {
  using pgwire::Message;
  using pgwire::StartupPacket;
  auto entries = EntriesOfEveryAlternative<StartupPacket>(
      std::make_index_sequence<std::variant_size_v<StartupPacket>>());
  auto messages =
      EntriesOfEveryAlternative<Message>(std::make_index_sequence<std::variant_size_v<Message>>());
  entries.insert(entries.end(), messages.begin(), messages.end());
  std::set<std::string> names;
  for (const auto& entry : entries) names.insert(entry.operation);
  EXPECT_EQ(names.size(), entries.size()) << "two messages share a declaration";
  EXPECT_EQ(pgwire::PgEntryPoints().size(), entries.size()) << "a declaration names no message";
  for (const auto& entry : entries) {
    SCOPED_TRACE(entry.operation);
    EXPECT_EQ(entry.door, "pg");
    switch (entry.credentials) {
      case Credentials::kNone:  // channel negotiation only
        EXPECT_TRUE(entry.operation == "SSLRequest" || entry.operation == "GSSENCRequest");
        EXPECT_EQ(entry.target, TargetFrom::kNone);
        break;
      case Credentials::kCancelKey:
        EXPECT_EQ(entry.operation, "CancelRequest");
        EXPECT_EQ(entry.target, TargetFrom::kNone);
        break;
      case Credentials::kWorkspaceLogin:
        // Everything a login sends acts in its workspace, but the refused fast-path call.
        EXPECT_EQ(entry.target == TargetFrom::kNone, entry.operation == "FunctionCall");
        if (entry.target != TargetFrom::kNone) EXPECT_EQ(entry.target, TargetFrom::kWorkspace);
        break;
      default:
        ADD_FAILURE() << "unexpected credentials " << ToString(entry.credentials);
    }
  }
  for (const char* writes : {"StartupMessage", "Query", "Parse", "Bind", "Execute", "CopyData"}) {
    EXPECT_TRUE(names.contains(writes));
  }
}

// The workspace login is authorized by the workspace service alone, from the login's declaration.
TEST_F(AccessDeclarationsTest, WorkspaceLoginsGoThroughTheSessionService) {
  const auto& login = pgwire::PgEntryOf(pgwire::StartupPacket(pgwire::StartupMessage{}));
  EXPECT_THROW(AuthorizeEntry(services_.auth, Principal{}, login, BranchRef{"p1", kDefaultBranch}),
               std::logic_error);
  services_.projects.Create("p1", "", nlohmann::json::object());
  services_.projects.Create("p2", "", nlohmann::json::object());
  auto mine = services_.workspaces.Create(BranchRef{"p1", kDefaultBranch}, std::string("ws1"));
  services_.workspaces.Create(BranchRef{"p2", kDefaultBranch}, std::string("ws2"));
  SqlSessionService sessions(services_.branches, services_.sharing, services_.workspace_access,
                             services_.sql_sessions);
  const std::string& user = mine.credentials.user;
  EXPECT_TRUE(sessions.Verifier(login, user, "ws1").has_value());
  EXPECT_FALSE(sessions.Verifier(login, user, "ws2").has_value());  // another project's workspace
  EXPECT_FALSE(sessions.Verifier(login, "nobody", "ws1").has_value());
  EXPECT_EQ(CaptureError([&] { sessions.Open(login, user, "ws2"); }).kind(), ErrorKind::kUnauthenticated);
  EXPECT_EQ(sessions.Open(login, user, "ws1")->workspace().id, "ws1");
  // Another kind of declaration is no login.
  const auto& ssl = pgwire::PgEntryOf(pgwire::StartupPacket(pgwire::SslRequest{}));
  EXPECT_THROW(sessions.Verifier(ssl, user, "ws1"), std::logic_error);
  EXPECT_THROW(sessions.Open(ssl, user, "ws1"), std::logic_error);
}

// The target rules of the one authorization path, over real keys.
TEST_F(AccessDeclarationsTest, AuthorizeEntryAppliesTheDeclaredTarget) {
  services_.projects.Create("p1", "", nlohmann::json::object());
  services_.projects.Create("p2", "", nlohmann::json::object());
  services_.dev_branches.Create("p1", "dev", "", std::string("dev"));
  auto& auth = services_.auth;
  auto key = [&](const std::string& project, KeyScope scope, std::optional<std::string> branch) {
    return auth.Authenticate(
        services_.projects.CreateKey(project, scope, branch, "test key", std::nullopt).token);
  };
  Principal admin = auth.Authenticate("admin-key");
  Principal owner = key("p1", KeyScope::kProjectAdmin, std::nullopt);
  Principal dev_reader = key("p1", KeyScope::kBranchRead, "dev");
  Principal other = key("p2", KeyScope::kProjectAdmin, std::nullopt);
  auto denied = [&](const Principal& principal, Access access, TargetFrom target, BranchRef at) {
    EntryPoint entry{"test", "op", Credentials::kApiKey, access, target};
    try {
      AuthorizeEntry(auth, principal, entry, at);
      return false;
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kPermissionDenied);
      return true;
    }
  };
  BranchRef p1{"p1", kDefaultBranch}, p1_dev{"p1", "dev"}, server{"", kDefaultBranch};

  EXPECT_FALSE(denied(admin, Access::kServerAdmin, TargetFrom::kServer, server));
  EXPECT_TRUE(denied(owner, Access::kServerAdmin, TargetFrom::kServer, server));
  EXPECT_FALSE(denied(owner, Access::kProjectAdmin, TargetFrom::kProject, p1));
  EXPECT_TRUE(denied(other, Access::kRead, TargetFrom::kProject, p1));
  // A branch key: its own branch for reading only, never the default branch.
  EXPECT_FALSE(denied(dev_reader, Access::kRead, TargetFrom::kBranch, p1_dev));
  EXPECT_TRUE(denied(dev_reader, Access::kWrite, TargetFrom::kBranch, p1_dev));
  EXPECT_TRUE(denied(dev_reader, Access::kRead, TargetFrom::kBranch, p1));
  EXPECT_TRUE(denied(dev_reader, Access::kRead, TargetFrom::kRecord, p1));
  // ... but any key of the project sees the project itself.
  EXPECT_FALSE(denied(dev_reader, Access::kRead, TargetFrom::kProjectAnyBranch, p1));
  EXPECT_TRUE(denied(other, Access::kRead, TargetFrom::kProjectAnyBranch, p1));
  // The caller's own project (the target names none).
  EXPECT_FALSE(denied(owner, Access::kWrite, TargetFrom::kCallerProject, server));
  EXPECT_TRUE(denied(dev_reader, Access::kWrite, TargetFrom::kCallerProject, server));
  // Nothing to check, and per-item targets that must go through FileAccess instead.
  EXPECT_FALSE(denied(Principal{}, Access::kRead, TargetFrom::kNone, server));
  EXPECT_THROW(
      AuthorizeEntry(auth, owner,
                     EntryPoint{"t", "o", Credentials::kSigV4, Access::kRead, TargetFrom::kObjectBucket}, p1),
      std::logic_error);
}

// Object buckets: a project's needs the access on the project, an admin-owned one is the admin key's alone.
TEST_F(AccessDeclarationsTest, FileAccessFollowsTheBucketOwner) {
  services_.projects.Create("p1", "", nlohmann::json::object());
  auto reader = services_.auth.Authenticate(
      services_.projects
          .CreateKey("p1", KeyScope::kBranchRead, std::string("default"), "test key", std::nullopt)
          .token);
  Principal admin = services_.auth.Authenticate("admin-key");
  services_.objects.CreateBucket("p1-data", std::string("p1"));
  services_.objects.CreateBucket("admin-data", std::nullopt);
  FileAccess access(services_.auth, services_.objects);

  EXPECT_EQ(access.Bucket(reader, "p1-data", Access::kRead).name, "p1-data");
  EXPECT_EQ(CaptureError([&] { access.Bucket(reader, "p1-data", Access::kWrite); }).kind(),
            ErrorKind::kPermissionDenied);
  EXPECT_EQ(CaptureError([&] { access.Bucket(reader, "admin-data", Access::kRead); }).kind(),
            ErrorKind::kPermissionDenied);
  EXPECT_EQ(CaptureError([&] { access.Bucket(reader, "missing", Access::kRead); }).code(),
            "bucket_not_found");
  EXPECT_TRUE(access.MayUse(admin, services_.objects.GetBucket("admin-data"), Access::kWrite));
  EXPECT_FALSE(access.MayUse(reader, services_.objects.GetBucket("admin-data"), Access::kRead));
}

}  // namespace
}  // namespace duckstore
