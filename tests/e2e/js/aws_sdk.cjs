// Scenarios run with the AWS SDK for JavaScript v3 (@aws-sdk/client-s3, @aws-sdk/lib-storage,
// @aws-sdk/s3-request-presigner) as its users run it: default settings, so uploads carry the SDK's default
// CRC32 checksums. Driven by tests/e2e/test_s3_js_clients.py:
//   node aws_sdk.cjs <scenario>   with S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET, S3_BUCKET in the environment.
// Prints one JSON document of what the scenario observed; the Python side asserts on it. A failed
// expectation inside a scenario exits non-zero with the reason.
"use strict";

const { Readable } = require("node:stream");
const crypto = require("node:crypto");
const s3sdk = require("@aws-sdk/client-s3");
const { Upload } = require("@aws-sdk/lib-storage");
const { getSignedUrl } = require("@aws-sdk/s3-request-presigner");
const runScenario = require("./scenario.cjs");

const bucket = process.env.S3_BUCKET;
const client = new s3sdk.S3Client({
  endpoint: process.env.S3_ENDPOINT,
  region: "us-east-1",
  forcePathStyle: true,
  credentials: { accessKeyId: process.env.S3_ACCESS_KEY_ID, secretAccessKey: process.env.S3_SECRET },
  maxAttempts: 1,
});

const send = (command) => client.send(command);
const md5 = (data) => crypto.createHash("md5").update(data).digest("hex");
const pattern = (size, seed) => {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
};

async function bodyOf(key, extra = {}) {
  const got = await send(new s3sdk.GetObjectCommand({ Bucket: bucket, Key: key, ...extra }));
  const bytes = Buffer.from(await got.Body.transformToByteArray());
  return { got, bytes };
}

function errorOf(error) {
  return { name: error.name, status: error.$metadata && error.$metadata.httpStatusCode };
}

async function expectError(promise) {
  try {
    await promise;
  } catch (error) {
    return errorOf(error);
  }
  throw new Error("the request was expected to fail");
}

function checksumsOf(response) {
  const out = {};
  for (const name of ["ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME", "ChecksumSHA1", "ChecksumSHA256", "ChecksumType"]) {
    if (response[name] !== undefined) out[name] = response[name];
  }
  return out;
}

const scenarios = {
  // PutObject with the SDK defaults (CRC32 in a header for a buffer, in an aws-chunked trailer for a stream).
  async default_checksums() {
    const data = pattern(100000, 1);
    const put = await send(new s3sdk.PutObjectCommand({ Bucket: bucket, Key: "default/buffer", Body: data }));
    const stream = Readable.from([data.subarray(0, 40000), data.subarray(40000)]);
    const streamed = await send(
      new s3sdk.PutObjectCommand({ Bucket: bucket, Key: "default/stream", Body: stream, ContentLength: data.length }),
    );
    const buffer = await bodyOf("default/buffer", { ChecksumMode: "ENABLED" });
    const fromStream = await bodyOf("default/stream", { ChecksumMode: "ENABLED" });
    const head = await send(new s3sdk.HeadObjectCommand({ Bucket: bucket, Key: "default/stream", ChecksumMode: "ENABLED" }));
    return {
      put: checksumsOf(put),
      streamed_put: checksumsOf(streamed),
      buffer_md5: md5(buffer.bytes),
      stream_md5: md5(fromStream.bytes),
      expected_md5: md5(data),
      get: checksumsOf(buffer.got),
      stream_get: checksumsOf(fromStream.got),
      head: checksumsOf(head),
    };
  },

  // Each algorithm chosen explicitly, read back with ChecksumMode ENABLED and GetObjectAttributes.
  async explicit_algorithms() {
    const out = {};
    for (const algorithm of ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"]) {
      const key = "explicit/" + algorithm;
      const data = pattern(70000, algorithm.length);
      const put = await send(
        new s3sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: data, ChecksumAlgorithm: algorithm }),
      );
      const { got, bytes } = await bodyOf(key, { ChecksumMode: "ENABLED" });
      const attributes = await send(
        new s3sdk.GetObjectAttributesCommand({ Bucket: bucket, Key: key, ObjectAttributes: ["Checksum", "ObjectSize", "ETag"] }),
      );
      out[algorithm] = {
        put: checksumsOf(put),
        get: checksumsOf(got),
        attributes: { ...checksumsOf(attributes.Checksum || {}), ObjectSize: attributes.ObjectSize, ETag: attributes.ETag },
        md5_ok: md5(bytes) === md5(data),
      };
    }
    return out;
  },

  // A checksum that does not match the body: refused, and nothing is stored.
  async wrong_checksum() {
    const refused = await expectError(
      send(new s3sdk.PutObjectCommand({ Bucket: bucket, Key: "wrong/crc", Body: "payload", ChecksumCRC32: "AAAAAA==" })),
    );
    const missing = await expectError(send(new s3sdk.HeadObjectCommand({ Bucket: bucket, Key: "wrong/crc" })));
    return { refused, missing };
  },

  // lib-storage's Upload of a stream of unknown length: multipart with the default checksums.
  async unknown_length_upload() {
    const data = pattern(12 * 1024 * 1024 + 12345, 7);
    async function* pieces() {
      for (let at = 0; at < data.length; at += 1000003) yield data.subarray(at, at + 1000003);
    }
    const upload = new Upload({
      client,
      params: { Bucket: bucket, Key: "unknown/length", Body: Readable.from(pieces()) },
      partSize: 5 * 1024 * 1024,
    });
    const done = await upload.done();
    const { got, bytes } = await bodyOf("unknown/length", { ChecksumMode: "ENABLED" });
    return { etag: done.ETag, md5_ok: md5(bytes) === md5(data), size: bytes.length, get: checksumsOf(got) };
  },

  // Multipart uploads with explicit checksums: COMPOSITE (CRC32C) and FULL_OBJECT (CRC64NVME).
  async multipart_checksums() {
    const out = {};
    for (const [algorithm, type] of [["CRC32C", "COMPOSITE"], ["CRC64NVME", "FULL_OBJECT"], ["SHA256", "COMPOSITE"]]) {
      const key = "multipart/" + algorithm;
      const parts = [pattern(5 * 1024 * 1024, 3), pattern(1234567, 4)];
      const created = await send(
        new s3sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: algorithm, ChecksumType: type }),
      );
      const completed = [];
      for (let i = 0; i < parts.length; i++) {
        const part = await send(
          new s3sdk.UploadPartCommand({
            Bucket: bucket, Key: key, UploadId: created.UploadId, PartNumber: i + 1, Body: parts[i], ChecksumAlgorithm: algorithm,
          }),
        );
        completed.push({ PartNumber: i + 1, ETag: part.ETag, ...checksumsOf(part) });
      }
      const listed = await send(new s3sdk.ListPartsCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId }));
      const complete = await send(
        new s3sdk.CompleteMultipartUploadCommand({
          Bucket: bucket, Key: key, UploadId: created.UploadId, MultipartUpload: { Parts: completed },
        }),
      );
      const head = await send(new s3sdk.HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: "ENABLED" }));
      const { bytes } = await bodyOf(key);
      out[algorithm] = {
        created: { ChecksumAlgorithm: created.ChecksumAlgorithm, ChecksumType: created.ChecksumType },
        parts: completed.map(checksumsOf),
        listed: (listed.Parts || []).map(checksumsOf),
        complete: checksumsOf(complete),
        head: checksumsOf(head),
        md5_ok: md5(bytes) === md5(Buffer.concat(parts)),
      };
    }
    return out;
  },

  // Conditional creates racing for one key: exactly one wins.
  async conditional_race() {
    const attempts = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        send(new s3sdk.PutObjectCommand({ Bucket: bucket, Key: "race/key", Body: "writer " + i, IfNoneMatch: "*" }))
          .then((r) => ({ ok: true, etag: r.ETag, body: "writer " + i }))
          .catch((e) => ({ ok: false, ...errorOf(e) })),
      ),
    );
    const { bytes } = await bodyOf("race/key");
    const winner = attempts.find((a) => a.ok);
    const again = await expectError(
      send(new s3sdk.PutObjectCommand({ Bucket: bucket, Key: "race/key", Body: "late", IfNoneMatch: "*" })),
    );
    const head = await send(new s3sdk.HeadObjectCommand({ Bucket: bucket, Key: "race/key" }));
    const stale = await expectError(
      send(new s3sdk.PutObjectCommand({ Bucket: bucket, Key: "race/key", Body: "stale", IfMatch: '"0123456789abcdef0123456789abcdef"' })),
    );
    const matched = await send(new s3sdk.PutObjectCommand({ Bucket: bucket, Key: "race/key", Body: "next", IfMatch: head.ETag }));
    return {
      winners: attempts.filter((a) => a.ok).length,
      losers: attempts.filter((a) => !a.ok).map((a) => a.status),
      stored: bytes.toString(),
      winner_body: winner && winner.body,
      again,
      stale,
      matched_etag: matched.ETag,
    };
  },

  // What tools rely on beyond the bytes: standard headers, a retried Complete, one part of a multipart
  // object, and a bucket's CORS rules answering a browser's preflight and its presigned GET.
  async semantics() {
    const headers = {
      CacheControl: "max-age=60", ContentDisposition: "attachment", ContentEncoding: "gzip", ContentLanguage: "de",
      Expires: new Date("2039-12-01T16:00:00Z"),
    };
    await send(new s3sdk.PutObjectCommand({ Bucket: bucket, Key: "headers", Body: "x", ...headers }));
    const head = await send(new s3sdk.HeadObjectCommand({ Bucket: bucket, Key: "headers" }));

    const parts = [pattern(5 * 1024 * 1024, 5), pattern(4321, 6)];
    const created = await send(new s3sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: "parts" }));
    const listed = [];
    for (let i = 0; i < parts.length; i++) {
      const part = await send(
        new s3sdk.UploadPartCommand({ Bucket: bucket, Key: "parts", UploadId: created.UploadId, PartNumber: i + 1, Body: parts[i] }),
      );
      listed.push({ PartNumber: i + 1, ETag: part.ETag });
    }
    const complete = () =>
      send(new s3sdk.CompleteMultipartUploadCommand({
        Bucket: bucket, Key: "parts", UploadId: created.UploadId, MultipartUpload: { Parts: listed },
      }));
    const first = await complete();
    const retried = await complete();
    const { got, bytes } = await bodyOf("parts", { PartNumber: 2 });

    await send(new s3sdk.PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["https://app.example.com"], AllowedMethods: ["GET"], ExposeHeaders: ["ETag"] }] },
    }));
    const cors = await send(new s3sdk.GetBucketCorsCommand({ Bucket: bucket }));
    await send(new s3sdk.PutObjectCommand({ Bucket: bucket, Key: "shared", Body: "for the browser" }));
    const url = await getSignedUrl(client, new s3sdk.GetObjectCommand({ Bucket: bucket, Key: "shared" }), { expiresIn: 300 });
    const preflight = await fetch(url, {
      method: "OPTIONS", headers: { Origin: "https://app.example.com", "Access-Control-Request-Method": "GET" },
    });
    const browserGet = await fetch(url, { headers: { Origin: "https://app.example.com" } });
    await send(new s3sdk.DeleteBucketCorsCommand({ Bucket: bucket }));
    const noCors = await expectError(send(new s3sdk.GetBucketCorsCommand({ Bucket: bucket })));
    return {
      head: {
        CacheControl: head.CacheControl, ContentDisposition: head.ContentDisposition, ContentEncoding: head.ContentEncoding,
        ContentLanguage: head.ContentLanguage, Expires: head.Expires && head.Expires.toISOString(),
      },
      complete_etags: [first.ETag, retried.ETag],
      part: { PartsCount: got.PartsCount, ContentRange: got.ContentRange, md5_ok: md5(bytes) === md5(parts[1]) },
      cors_rules: cors.CORSRules,
      preflight: { status: preflight.status, allow_origin: preflight.headers.get("access-control-allow-origin") },
      browser_get: {
        status: browserGet.status, allow_origin: browserGet.headers.get("access-control-allow-origin"), body: await browserGet.text(),
      },
      no_cors: noCors,
    };
  },

  // Presigned GET and PUT URLs, used with plain fetch.
  async presigned() {
    const put = await getSignedUrl(client, new s3sdk.PutObjectCommand({ Bucket: bucket, Key: "presigned/obj" }), { expiresIn: 300 });
    const putResponse = await fetch(put, { method: "PUT", body: "presigned body" });
    const get = await getSignedUrl(client, new s3sdk.GetObjectCommand({ Bucket: bucket, Key: "presigned/obj" }), { expiresIn: 300 });
    const getResponse = await fetch(get);
    return { put_status: putResponse.status, get_status: getResponse.status, body: await getResponse.text() };
  },
};

runScenario(scenarios, (error) => (error && error.$metadata ? errorOf(error) : {}));
