// /projects/{project_id}/files[...] (upload (streamed), list, get, download with ranges, delete) and
// /projects/{project_id}/registered-files (name an existing object as a file).
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "duckstore/api/http/range.hpp"
#include "duckstore/api/rest/rest_support.hpp"
#include "duckstore/api/rest/routes.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::rest {
namespace {

constexpr const char* kFiles = "/projects/{project_id}/files";

nlohmann::json FileJson(const FileInfo& f) {
  return {{"id", f.file.id},         {"name", f.file.name},
          {"size", f.object.size},   {"content_type", f.object.content_type},
          {"md5", f.object.etag},    {"tags", f.file.tags},
          {"bucket", f.file.bucket}, {"key", f.file.key},
          {"owned", f.file.owned},   {"created_at", f.file.created_at}};
}

// "a,b" -> {"a", "b"}; empty items are dropped.
std::vector<std::string> SplitTags(const std::string* list) {
  std::vector<std::string> tags;
  if (!list) return tags;
  size_t start = 0;
  while (start <= list->size()) {
    size_t end = list->find(',', start);
    if (end == std::string::npos) end = list->size();
    if (end > start) tags.push_back(list->substr(start, end - start));
    start = end + 1;
  }
  return tags;
}

std::optional<std::string> HexChecksum(const http::Request& r, const char* header, size_t hex_length) {
  const std::string* value = r.headers.Find(header);
  if (!value) return std::nullopt;
  std::string lower;
  for (char c : *value) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower.size() != hex_length || lower.find_first_not_of("0123456789abcdef") != std::string::npos) {
    throw InvalidArgument("invalid_checksum", std::string(header) + " must be " + std::to_string(hex_length) +
                                                  " hexadecimal digits");
  }
  return lower;
}

std::string ContentDisposition(const std::string& name) {
  // RFC 6266 / 8187: the UTF-8 name percent-encoded, so no quoting rules apply.
  return "attachment; filename*=UTF-8''" + boost::urls::encode(name, boost::urls::unreserved_chars);
}

}  // namespace

// Files are project-level data: every route checks its access on the project (default branch).
void AddFileRoutes(RestRoutes& routes, Services& s) {
  const std::string files = kFiles;
  routes.Add(
      "POST", files, Access::kWrite, TargetFrom::kProject,
      [&s](http::Request& r, const Caller& caller) {
        const std::string* name = r.QueryParam("name");
        if (!name) throw InvalidArgument("missing_parameter", "the query parameter name is required");
        NewFile file{*name, SplitTags(r.QueryParam("tags")), {}};
        file.attributes.content_type = r.headers.Get("content-type", "application/octet-stream");
        file.attributes.expected_md5 = HexChecksum(r, "x-checksum-md5", 32);
        file.attributes.expected_sha256 = HexChecksum(r, "x-checksum-sha256", 64);
        auto info = s.files.Upload(caller.branch.project_id, file, [&r](char* buffer, size_t size) {
          return r.body_reader->Read(buffer, size);
        });
        return Json(201, FileJson(info));
      },
      http::RouteOptions{.stream_body = true});
  routes.Add("POST", "/projects/{project_id}/registered-files", Access::kWrite, TargetFrom::kProject,
             [&s](http::Request& r, const Caller& caller) {
               auto body = ParseJsonObject(r);
               NewFile file{RequireString(body, "name"), OptionalStringList(body, "tags"), {}};
               auto info = s.files.Register(caller.branch.project_id, file, RequireString(body, "bucket"),
                                            RequireString(body, "key"));
               return Json(201, FileJson(info));
             });
  routes.Add("GET", files, Access::kRead, TargetFrom::kProject, [&s](http::Request& r, const Caller& caller) {
    auto page = ParsePage(r);
    auto list = s.files.List(caller.branch.project_id, SplitTags(r.QueryParam("tags")), page);
    return Json(200, PageJson(page, list, "files", FileJson));
  });
  routes.Add("GET", files + "/{file_id}", Access::kRead, TargetFrom::kProject,
             [&s](http::Request& r, const Caller& caller) {
               return Json(200, FileJson(s.files.Get(caller.branch.project_id, r.PathParam("file_id"))));
             });
  routes.Add("GET", files + "/{file_id}/content", Access::kRead, TargetFrom::kProject,
             [&s](http::Request& r, const Caller& caller) {
               auto info = s.files.Get(caller.branch.project_id, r.PathParam("file_id"));
               auto size = static_cast<uint64_t>(info.object.size);
               http::Response response;
               response.headers.Set("content-type", info.object.content_type);
               response.headers.Set("etag", "\"" + info.object.etag + "\"");
               response.headers.Set("accept-ranges", "bytes");
               response.headers.Set("content-disposition", ContentDisposition(info.file.name));
               std::optional<http::ByteRange> range;
               if (const std::string* header = r.headers.Find("range"))
                 range = http::ParseRange(*header, size);
               if (range) {
                 response.status = 206;
                 response.headers.Set("content-range", range->ContentRange(size));
               }
               response.file.emplace();
               for (const auto& piece :
                    ObjectRanges(info.object, range ? range->offset : 0, range ? range->length : size))
                 response.file->Append(piece.path, piece.offset, piece.length);
               return response;
             });
  routes.Add("DELETE", files + "/{file_id}", Access::kWrite, TargetFrom::kProject,
             [&s](http::Request& r, const Caller& caller) {
               s.files.Delete(caller.branch.project_id, r.PathParam("file_id"));
               return http::Response::Empty(204);
             });
}

}  // namespace duckstore::rest
