// Text in HTTP header values (user metadata, Content-Disposition...) as S3 carries it, stored as UTF-8
// (docs/design/s3.md, "Object metadata").
//
// HTTP header values are bytes: clients send UTF-8 (curl, Go, Java), ISO-8859-1 (Node and Python send a
// string's characters up to U+00FF as single bytes) or RFC 2047 encoded-words ("=?UTF-8?B?w6k=?=", which S3
// decodes before storing). On the way out, S3 RFC 2047-encodes what is not ASCII; here a value whose
// characters all fit ISO-8859-1 is sent as those bytes, which is what Node and Python decode header bytes
// as (so "é" round-trips through them instead of coming back as "Ã©"), and anything beyond is sent as an
// RFC 2047 encoded-word, as S3 does.
#pragma once

#include <string>
#include <string_view>

namespace duckstore::s3 {

// The UTF-8 text of a received header value: RFC 2047 encoded-words decoded, valid UTF-8 kept, any other
// byte taken as ISO-8859-1.
std::string HeaderValueToUtf8(std::string_view raw);

// The header bytes to send for UTF-8 `text`: itself when ASCII, ISO-8859-1 when every character fits,
// else one RFC 2047 B encoded-word.
std::string Utf8ToHeaderValue(std::string_view text);

}  // namespace duckstore::s3
