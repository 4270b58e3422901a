#include "duckstore/api/das/access.hpp"
#include "duckstore/api/das/codec.hpp"
#include "duckstore/api/das/services.hpp"
#include "duckstore/api/das/status.hpp"

namespace duckstore::das {

grpc::Status FunctionsService::GetFunctionDefinitions(grpc::ServerContext* context,
                                                      const pb::GetFunctionDefinitionsRequest* request,
                                                      pb::GetFunctionDefinitionsResponse* response) {
  return Serve([&] {
    auto scope = AuthorizedScope(registry_, "FunctionsService/GetFunctionDefinitions", request->das_id().id(),
                                 *context);
    for (const auto& function : das_.ListFunctions(scope)) {
      auto* definition = response->add_definitions();
      definition->mutable_function_id()->set_name(function.name);
      std::string kind = function.table_macro ? "table macro " : "macro ";
      definition->set_description(function.description.empty() ? kind + function.schema + "." + function.macro
                                                               : function.description);
      for (const auto& param : function.params) {
        auto* out = definition->add_params();
        out->mutable_function_id()->set_name(function.name);
        out->set_name(param.name);
        if (param.default_value) out->set_description("optional, default " + *param.default_value);
        if (param.type) {
          ToDasType(*param.type, true, out->mutable_type());
        } else {
          out->mutable_type()->mutable_any();
        }
      }
      // A scalar macro's type is known only once bound; a table macro returns a list of records.
      if (function.table_macro) {
        definition->mutable_return_type()->mutable_list()->mutable_inner_type()->mutable_record();
        definition->set_return_description("one record per row of the table macro's result");
      } else {
        definition->mutable_return_type()->mutable_any();
      }
    }
  });
}

grpc::Status FunctionsService::ExecuteFunction(grpc::ServerContext* context,
                                               const pb::ExecuteFunctionRequest* request,
                                               pb::ExecuteFunctionResponse* response) {
  return Serve([&] {
    auto scope =
        AuthorizedScope(registry_, "FunctionsService/ExecuteFunction", request->das_id().id(), *context);
    std::vector<DasArgument> args;
    for (const auto& arg : request->args()) {
      if (arg.has_named_arg()) {
        args.push_back({arg.named_arg().name(), FromDasValue(arg.named_arg().value())});
      } else {
        args.push_back({std::nullopt, FromDasValue(arg.arg())});
      }
    }
    auto result = das_.ExecuteFunction(scope, request->function_id().name(), args);
    if (!result.table) {
      ToDasValue(result.value, response->mutable_output());
      return;
    }
    auto* list = response->mutable_output()->mutable_list();
    for (const auto& row : result.rows.rows) {
      auto* record = list->add_values()->mutable_record();
      for (size_t col = 0; col < row.size(); ++col) {
        auto* att = record->add_atts();
        att->set_name(result.rows.columns[col]);
        ToDasValue(row[col], att->mutable_value());
      }
    }
  });
}

}  // namespace duckstore::das
