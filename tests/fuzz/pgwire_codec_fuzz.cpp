// libFuzzer target for the PostgreSQL protocol codec: the input is a connection's byte stream. The first
// byte chooses where it starts (startup phase or after login) and the limits; frames are then scanned and
// parsed until the bytes run out or the codec reports a protocol violation. Anything but ProtocolError
// escaping, a crash, a leak or undefined behaviour is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "duckstore/api/pgwire/codec.hpp"

using namespace duckstore::pgwire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  bool startup = data[0] & 1;
  Limits limits;
  limits.max_message_bytes = (data[0] & 2) ? 64 : 1u << 20;
  limits.max_copy_data_bytes = (data[0] & 4) ? 128 : 1u << 20;
  std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    while (!stream.empty()) {
      auto frame = ScanFrame(stream, startup, limits);
      if (!frame) break;
      if (startup) {
        auto packet = ParseStartup(frame->body);
        startup = std::holds_alternative<SslRequest>(packet) || std::holds_alternative<GssEncRequest>(packet);
      } else {
        auto message = ParseMessage(*frame);
        if (auto* auth = std::get_if<AuthenticationData>(&message)) ParseSaslInitialResponse(auth->data);
        if (auto* bind = std::get_if<Bind>(&message)) {
          for (size_t i = 0; i < bind->parameters.size(); ++i)
            FormatOf(bind->parameter_formats, i, bind->parameters.size());
        }
      }
      stream.remove_prefix(frame->size);
    }
  } catch (const ProtocolError&) {
    // The expected answer to malformed input.
  }
  // The writer must frame whatever it is given.
  Writer writer;
  writer.CommandComplete(stream.substr(0, 64));
  writer.CopyData(stream.substr(0, 64));
  return 0;
}
