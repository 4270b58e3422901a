// The message loop of an authenticated PostgreSQL session: the simple query protocol (several statements
// per Query, one result each) and the extended protocol (Parse/Bind/Describe/Execute/Close/Sync/Flush with
// named and unnamed statements and portals, text and binary parameters and results, Execute row limits and
// PortalSuspended, pipelining: output is flushed at Sync, Flush, ReadyForQuery or when a batch fills).
// After an error in the extended protocol every message up to Sync is skipped, as PostgreSQL does.
// Protocol violations throw ProtocolError (the caller answers FATAL and closes); SQL errors are answered
// with ErrorResponse and the session goes on.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "duckstore/api/pgwire/channel.hpp"
#include "duckstore/services/workspaces/sql_session.hpp"

namespace duckstore::pgwire {

class Protocol {
 public:
  Protocol(Wire& wire, SqlSession& session) : wire_(wire), session_(session) {}

  // Serves messages until Terminate or the peer closes.
  void Run();

 private:
  struct Prepared {
    std::shared_ptr<SqlStatement> statement;
    std::vector<uint32_t> parameter_types;  // as declared by Parse (0 = unspecified)
  };
  struct Portal {
    std::shared_ptr<SqlStatement> statement;
    duckdb::vector<duckdb::Value> parameters;
    std::vector<int16_t> formats;                 // one per result column
    std::vector<duckdb::LogicalType> types;       // the result's column types
    std::unique_ptr<SqlRows> rows;                // set once executed
    duckdb::unique_ptr<duckdb::DataChunk> chunk;  // the chunk being sent
    duckdb::idx_t next_row = 0;                   // its next row to send
    uint64_t sent = 0;
    bool done = false;
  };

  void Dispatch(Message& message);
  void SimpleQuery(const std::string& sql);
  void OnParse(Parse& parse);
  void OnBind(Bind& bind);
  void OnDescribe(const Describe& describe);
  void OnExecute(const Execute& execute);
  void OnClose(const Close& close);
  void ReadyForQuery();
  void SendError(const std::exception& error);
  void SendRowDescription(const std::vector<std::string>& names,
                          const std::vector<duckdb::LogicalType>& types, const std::vector<int16_t>& formats);
  // Sends up to `max_rows` rows (0 = all), then PortalSuspended or CommandComplete.
  void ExecutePortal(Portal& portal, int32_t max_rows);
  // COPY TO STDOUT: CopyOutResponse, a CopyData per row (and the header line), CopyDone, "COPY n".
  void CopyOut(Portal& portal);
  // COPY FROM STDIN: CopyInResponse, then reads CopyData until CopyDone (commit, "COPY n") or CopyFail
  // (nothing kept, query_canceled); bad data ends the COPY with bad_copy_file_format and nothing kept.
  void CopyIn(Portal& portal);

  Wire& wire_;
  SqlSession& session_;
  std::map<std::string, Prepared> statements_;
  std::map<std::string, Portal> portals_;
  bool skip_until_sync_ = false;
  std::string field_;  // scratch for one encoded value
};

}  // namespace duckstore::pgwire
