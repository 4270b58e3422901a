// Scenarios run with minio-js as its users run it (default settings). Driven by
// tests/e2e/test_s3_js_clients.py like aws_sdk.cjs:
//   node minio_client.cjs <scenario>   with S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET, S3_BUCKET set.
// Prints one JSON document of what the scenario observed.
"use strict";

const crypto = require("node:crypto");
const { Readable } = require("node:stream");
const Minio = require("minio");
const runScenario = require("./scenario.cjs");

const bucket = process.env.S3_BUCKET;
const endpoint = new URL(process.env.S3_ENDPOINT);
const client = new Minio.Client({
  endPoint: endpoint.hostname,
  port: Number(endpoint.port),
  useSSL: false,
  pathStyle: true,
  region: "us-east-1",
  accessKey: process.env.S3_ACCESS_KEY_ID,
  secretKey: process.env.S3_SECRET,
});
// minio-js has no setting for a path prefix: requests go to /<bucket>/<key> at the root, which the server
// answers as path-style S3 when the Host header is its S3 domain (docs/design/s3.md, "Addressing").

const md5 = (data) => crypto.createHash("md5").update(data).digest("hex");
const pattern = (size, seed) => {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 17 + seed) & 0xff;
  return out;
};

async function read(key) {
  const stream = await client.getObject(bucket, key);
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const scenarios = {
  // putObject of a buffer, of a stream of unknown length (multipart past the part size), stat and listing.
  async objects() {
    const small = pattern(1000, 1);
    await client.putObject(bucket, "minio/small", small, small.length, { "Content-Type": "text/plain", "x-amz-meta-origin": "minio" });
    const big = pattern(6 * 1024 * 1024 + 99, 2);
    async function* pieces() {
      for (let at = 0; at < big.length; at += 700001) yield big.subarray(at, at + 700001);
    }
    const uploaded = await client.putObject(bucket, "minio/big", Readable.from(pieces()), undefined, {}, );
    const stat = await client.statObject(bucket, "minio/small");
    const names = [];
    for await (const item of client.listObjectsV2(bucket, "minio/", true)) names.push(item.name);
    return {
      small_ok: md5(await read("minio/small")) === md5(small),
      big_ok: md5(await read("minio/big")) === md5(big),
      big_etag: uploaded.etag,
      meta: stat.metaData,
      size: stat.size,
      names,
    };
  },

  // Presigned GET and PUT URLs, and a browser-style POST form upload with a signed policy.
  async presigned() {
    const putUrl = await client.presignedPutObject(bucket, "minio/presigned", 300);
    const put = await fetch(putUrl, { method: "PUT", body: "put through a presigned URL" });
    const getUrl = await client.presignedGetObject(bucket, "minio/presigned", 300);
    const get = await fetch(getUrl);
    const body = await get.text();

    const policy = client.newPostPolicy();
    policy.setBucket(bucket);
    policy.setKey("minio/posted");
    policy.setExpires(new Date(Date.now() + 300 * 1000));
    policy.setContentType("text/plain");
    policy.setContentLengthRange(1, 1024);
    const { postURL, formData } = await client.presignedPostPolicy(policy);
    const form = new FormData();
    for (const [name, value] of Object.entries(formData)) form.append(name, value);
    form.append("file", new Blob(["posted from a browser form"], { type: "text/plain" }), "note.txt");
    const post = await fetch(postURL, { method: "POST", body: form });
    const posted = (await read("minio/posted")).toString();
    return { put_status: put.status, get_status: get.status, body, post_status: post.status, post_url: postURL, posted };
  },
};

runScenario(scenarios);
