// Table structure: CreateTable, DropTable, AddColumn, AlterColumn, DropColumn, AddPrimaryKey,
// DropPrimaryKey. Tables are addressed by path = [bucket object name] and tableName; TableAt reads the
// branch out of the object name, so on a dev branch every change copies the table up first (copy-on-write)
// and never touches the default branch.
#include "duckstore/api/driver/commands.hpp"
#include "duckstore/api/driver/support.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/error_codes.hpp"

namespace duckstore::driver {
namespace {

// One AlterColumnCommand attribute as a column change: "type" and "length" change the type (the other
// taken from the desired definition or, when empty there, from the current column), "nullable" and
// "default" their attribute (an empty default removes it).
ColumnChange ChangeOf(const std::string& attribute, const table::TableColumnShared& desired,
                      const ColumnInfo& current) {
  ColumnChange change;
  if (attribute == "type" || attribute == "length") {
    auto now = ColumnInfoOf(current);
    std::string type = desired.type().empty() ? now.type() : desired.type();
    std::string length = attribute == "length" || !desired.length().empty() ? desired.length() : "";
    change.type = length.empty() ? type : type + "(" + length + ")";
  } else if (attribute == "nullable") {
    change.nullable = desired.nullable();
  } else if (attribute == "default") {
    change.default_value = desired.default_().empty() ? std::nullopt : std::optional(desired.default_());
  } else {
    throw InvalidArgument("invalid_request", "unknown attribute '" + attribute +
                                                 "' (expected type, length, nullable or default)");
  }
  return change;
}

}  // namespace

void AddTableCommands(CommandRegistry& registry) {
  registry.Add<table::CreateTableCommand>(
      Access::kWrite, [](const table::CreateTableCommand& command, CommandContext& context) {
        TableRef ref = TableAt(context, command.path(), command.tablename(), "CreateTableCommand");
        std::vector<ColumnDefinition> columns;
        for (const auto& column : command.columns()) columns.push_back(ColumnOf(column));
        std::vector<std::string> key(command.primarykeysnames().begin(), command.primarykeysnames().end());
        return TableResponse(context.services.tables.Create(ref, columns, key), ref.branch);
      });

  // Drops a table, or a view made by CreateViewCommand (which has no drop command of its own).
  registry.Add<table::DropTableCommand>(
      Access::kWrite, [](const table::DropTableCommand& command, CommandContext& context) {
        TableRef ref = TableAt(context, command.path(), command.tablename(), "DropTableCommand");
        try {
          if (context.services.views.Exists(ref)) {
            context.services.views.Delete(ref);
          } else {
            context.services.tables.Delete(ref);
          }
        } catch (const Error& e) {
          // The deprecated ignoreErrors only forgives a table that is already gone.
          if (!(IgnoreErrors(command) && e.kind() == ErrorKind::kNotFound)) throw;
        }
      });

  registry.Add<table::AddColumnCommand>(
      Access::kWrite, [](const table::AddColumnCommand& command, CommandContext& context) {
        TableRef ref = TableAt(context, command.path(), command.tablename(), "AddColumnCommand");
        return TableResponse(context.services.tables.AddColumn(ref, ColumnOf(command.columndefinition())),
                             ref.branch);
      });

  // Each attribute is changed on its own; a failed one becomes an Error message in DriverResponse.messages
  // (not a failure of the command), a successful one an Informational message. The response always
  // describes the table as it is afterwards.
  registry.Add<table::AlterColumnCommand>(
      Access::kWrite, [](const table::AlterColumnCommand& command, CommandContext& context) {
        TableRef ref = TableAt(context, command.path(), command.tablename(), "AlterColumnCommand");
        const auto& desired = command.desireddefiniton();
        const std::string& name = Require(desired.name(), "AlterColumnCommand.desiredDefiniton.name");
        if (command.attributestoupdate().empty())
          throw InvalidArgument("invalid_request", "AlterColumnCommand.attributesToUpdate is required");
        for (const auto& attribute : command.attributestoupdate()) {
          try {
            TableInfo table = context.services.tables.Get(ref);
            const ColumnInfo* column = table.FindColumn(name);
            if (!column) throw NotFound("column_not_found", "column '" + name + "' does not exist");
            context.services.tables.AlterColumn(ref, name, ChangeOf(attribute, desired, *column));
            context.AddMessage(common::LogMessage::Informational, "\"" + attribute + "\": updated");
          } catch (const Error& e) {
            if (e.code() == error_code::kTableNotFound || e.code() == error_code::kBucketNotFound) throw;
            context.AddMessage(common::LogMessage::Error, "\"" + attribute + "\": " + e.what());
          }
        }
        return TableResponse(context.services.tables.Get(ref), ref.branch);
      });

  registry.Add<table::DropColumnCommand>(Access::kWrite, [](const table::DropColumnCommand& command,
                                                            CommandContext& context) {
    TableRef ref = TableAt(context, command.path(), command.tablename(), "DropColumnCommand");
    context.services.tables.DropColumn(ref, Require(command.columnname(), "DropColumnCommand.columnName"));
  });

  // Driver semantics: key columns must already be NOT NULL; duplicates are checked unless skipped.
  registry.Add<table::AddPrimaryKeyCommand>(
      Access::kWrite, [](const table::AddPrimaryKeyCommand& command, CommandContext& context) {
        TableRef ref = TableAt(context, command.path(), command.tablename(), "AddPrimaryKeyCommand");
        std::vector<std::string> key(command.primarykeysnames().begin(), command.primarykeysnames().end());
        TableService::PrimaryKeyOptions options;
        options.require_not_null_columns = true;
        options.check_duplicates = !command.skipduplicatescheck();
        context.services.tables.AddPrimaryKey(ref, key, options);
      });

  registry.Add<table::DropPrimaryKeyCommand>(
      Access::kWrite, [](const table::DropPrimaryKeyCommand& command, CommandContext& context) {
        context.services.tables.DropPrimaryKey(
            TableAt(context, command.path(), command.tablename(), "DropPrimaryKeyCommand"));
      });
}

}  // namespace duckstore::driver
