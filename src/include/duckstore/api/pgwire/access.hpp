// The PostgreSQL wire door's access declarations (services/auth/entry_points.hpp): one per message a client
// can send, named as in the protocol documentation. SSLRequest and GSSENCRequest take no credentials (they
// only negotiate the channel); CancelRequest carries the session's process id and secret; the startup
// packet and the SASL messages are the workspace login; every later message acts as that login inside its
// workspace's scope (services/workspaces/sql_session). The legacy FunctionCall is declared refused.
#pragma once

#include <vector>

#include "duckstore/api/pgwire/codec.hpp"
#include "duckstore/services/auth/entry_points.hpp"

namespace duckstore::pgwire {

// Every message's declaration.
const std::vector<EntryPoint>& PgEntryPoints();

// The declaration of a startup packet, and of a message after startup (AuthenticationData is the SASL
// exchange of the login). std::logic_error for an undeclared message.
const EntryPoint& PgEntryOf(const StartupPacket& packet);
const EntryPoint& PgEntryOf(const Message& message);

}  // namespace duckstore::pgwire
