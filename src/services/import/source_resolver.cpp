#include "duckstore/services/import/source_resolver.hpp"

#include <fstream>
#include <sstream>

#include "duckstore/services/import/import_errors.hpp"

namespace duckstore {
namespace {

constexpr int64_t kMaxManifestBytes = 16 << 20;

nlohmann::json ReadManifest(const StoredObject& manifest) {
  auto invalid = [&](const std::string& why) {
    return ImportError(ErrorKind::kUnprocessable, "invalid_manifest",
                       "manifest '" + manifest.bucket + "/" + manifest.key + "' " + why,
                       DriverCode::kInvalidFileParams);
  };
  if (manifest.size > kMaxManifestBytes) throw invalid("is larger than 16 MiB");
  std::stringstream text;  // a manifest uploaded in parts is read part after part
  for (const auto& range : ObjectRanges(manifest, 0, static_cast<uint64_t>(manifest.size))) {
    std::ifstream in(range.path, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(range.offset));
    std::string piece(range.length, '\0');
    in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
    text << piece;
  }
  nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
  if (!json.is_object() || !json.contains("entries") || !json["entries"].is_array()) {
    throw invalid("is not {\"entries\":[{\"url\":...,\"mandatory\":...}]}");
  }
  for (const auto& entry : json["entries"]) {
    if (!entry.is_object() || !entry.contains("url") || !entry["url"].is_string()) {
      throw invalid("has an entry without a url string");
    }
  }
  return json;
}

// "s3://bucket/key" -> (bucket, key); anything else is a key of `default_bucket`.
ObjectLocation ParseEntryUrl(const std::string& url, const std::string& default_bucket) {
  const std::string scheme = "s3://";
  if (url.rfind(scheme, 0) != 0) return {default_bucket, url};
  auto slash = url.find('/', scheme.size());
  if (slash == std::string::npos) {
    throw ImportError(ErrorKind::kUnprocessable, "invalid_manifest",
                      "manifest url '" + url + "' names no key", DriverCode::kInvalidFileParams);
  }
  return {url.substr(scheme.size(), slash - scheme.size()), url.substr(slash + 1)};
}

// The source object (or manifest) itself: missing is kNotFound("object_not_found") carrying the contract's
// ERR_MANDATORY_FILE_NOT_FOUND, so the driver reports 4201 while REST keeps its 404.
StoredObject GetSourceObject(ObjectStore& objects, const std::string& bucket, const std::string& key) {
  auto found = objects.Find(bucket, key);
  if (!found) {
    throw ImportError(ErrorKind::kNotFound, "object_not_found",
                      "file '" + key + "' does not exist in bucket '" + bucket + "'",
                      DriverCode::kMandatoryFileNotFound, {{"bucket", bucket}, {"key", key}});
  }
  return std::move(*found);
}

}  // namespace

ResolvedFiles ResolveFileSource(ObjectStore& objects, const std::string& project_id,
                                const ObjectLocation& source, SourceType type) {
  ObjectBucket bucket = objects.GetBucket(source.bucket);
  std::vector<StoredObject> files;
  switch (type) {
    case SourceType::kSingleFile:
      files.push_back(GetSourceObject(objects, bucket.name, source.key));
      break;
    case SourceType::kSlicedFile: {
      auto manifest = ReadManifest(GetSourceObject(objects, bucket.name, source.key));
      for (const auto& entry : manifest["entries"]) {
        auto location = ParseEntryUrl(entry["url"].get<std::string>(), bucket.name);
        if (location.bucket != bucket.name) {
          auto other = objects.GetBucket(location.bucket);
          if (other.project_id != project_id) {
            throw PermissionDenied("manifest entry '" + entry["url"].get<std::string>() +
                                   "' is in a bucket the project does not own");
          }
        }
        auto found = objects.Find(location.bucket, location.key);
        bool mandatory = entry.value("mandatory", true);
        if (!found && mandatory) {
          throw ImportError(ErrorKind::kUnprocessable, "mandatory_file_not_found",
                            "manifest entry '" + entry["url"].get<std::string>() + "' does not exist",
                            DriverCode::kMandatoryFileNotFound, {{"url", entry["url"]}});
        }
        if (found) files.push_back(std::move(*found));
      }
      break;
    }
    case SourceType::kDirectory:
      for (auto& object : objects.ListAll(bucket.name, source.key)) {
        if (object.key != source.key + "manifest") files.push_back(std::move(object));
      }
      break;
  }
  if (files.empty()) {
    throw ImportError(ErrorKind::kUnprocessable, "mandatory_file_not_found",
                      "no file to import under '" + source.bucket + "/" + source.key + "'",
                      DriverCode::kMandatoryFileNotFound);
  }
  ResolvedFiles resolved;
  for (const auto& file : files) resolved.names.push_back(file.bucket + "/" + file.key);
  resolved.staged = objects.StageForProject(project_id, files);
  return resolved;
}

}  // namespace duckstore
