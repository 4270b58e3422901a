"""S3 throughput against nginx on loopback, and server memory during a large multipart upload.

1. GET and PUT of a 1 GB object: duckstore's S3 API (presigned URLs, so curl is the client on both sides)
   against nginx serving the same file (GET) and receiving it through WebDAV PUT, in the same run. Each is
   the best of `--runs` transfers; the report gives MB/s and the duckstore / nginx ratio (target >= 0.8).
   duckstore is measured twice: without a checksum, and with the CRC32 checksum today's SDKs send by default
   (x-amz-checksum-crc32 on the PUT, verified while the body streams; x-amz-checksum-mode: ENABLED on the
   GET); the report gives the checksummed / plain ratio (target >= 0.9).
2. Multipart objects of 1 GiB and 10 GiB (`--complete-gb`) uploaded in parts of 64 MiB (4 at a time):
   CompleteMultipartUpload's time for each (target < 100 ms whatever the size: the object is stored as
   its parts' blobs), the GET throughput of the first one (read across its part blobs) against the
   single-blob GET, and the RSS of the duckstore process sampled every 100 ms throughout; the report gives
   its growth over the idle RSS (target < 64 MB).

Fairness: one client (curl, same flags) and one source file for both servers, both on the same disk, the
source in the page cache. nginx runs one worker with sendfile and a 1 MiB body buffer; its PUT writes the
body to a temp file and renames it, without fsync. duckstore's PUT also fsyncs the object before answering
(it is durable when the client sees 200), so the PUT ratio is, if anything, unfair to duckstore.

Usage: bench/s3_throughput.py BUILD_DIR [--size-mb 1024] [--complete-gb 1,10] [--runs 3] [--binary PATH]
Defaults come from S3_BENCH_SIZE_MB, S3_BENCH_COMPLETE_GB and S3_BENCH_RUNS when set (bench/run.sh).
`--binary` measures another duckstore build (e.g. a before/after comparison) instead of BUILD_DIR's.
"""
import argparse
import base64
import concurrent.futures
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server  # noqa: E402

NGINX_CONF = """
daemon off;
worker_processes 1;
error_log {dir}/error.log warn;
pid {dir}/nginx.pid;
events {{ worker_connections 64; }}
http {{
  access_log off;
  sendfile on;
  client_max_body_size 0;
  client_body_temp_path {dir}/body;
  client_body_buffer_size 1m;
  server {{
    listen 127.0.0.1:{port};
    root {dir}/www;
    location / {{
      dav_methods PUT;
      create_full_put_path on;
    }}
  }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def curl(*args):
    """Runs curl; returns seconds taken by the transfer (curl's own measurement)."""
    out = subprocess.run(["curl", "-sS", "-f", "-o", "/dev/null", "-w", "%{time_total}", *args],
                         capture_output=True, text=True, check=True)
    return float(out.stdout)


def best(runs, transfer):
    return min(transfer() for _ in range(runs))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build_dir")
    parser.add_argument("--size-mb", type=int, default=int(os.environ.get("S3_BENCH_SIZE_MB", 1024)))
    parser.add_argument("--complete-gb", type=lambda text: [float(v) for v in text.split(",")],
                        default=os.environ.get("S3_BENCH_COMPLETE_GB", "1,10"),
                        help="sizes in GiB of the multipart objects whose Complete is timed (comma-separated)")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("S3_BENCH_RUNS", 3)))
    parser.add_argument("--binary", help="duckstore binary to measure (default: BUILD_DIR/duckstore)")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="s3bench-")
    server = Server(args.binary or os.path.join(args.build_dir, "duckstore"))
    nginx = None
    try:
        # The test file lives next to both servers' data (same disk).
        source = os.path.join(work, "object.bin")
        with open(source, "wb") as f:
            block = os.urandom(1 << 20)
            for _ in range(args.size_mb):
                f.write(block)
        size = args.size_mb << 20

        ndir = os.path.join(work, "nginx")
        os.makedirs(os.path.join(ndir, "www"))
        os.makedirs(os.path.join(ndir, "body"))
        # nginx's workers drop root privileges; they must be able to write both directories.
        for sub in ("", "www", "body"):
            os.chmod(os.path.join(ndir, sub), 0o777)
        os.chmod(work, 0o755)
        port = free_port()
        with open(os.path.join(ndir, "nginx.conf"), "w") as f:
            f.write(NGINX_CONF.format(dir=ndir, port=port))
        nginx = subprocess.Popen(["nginx", "-c", os.path.join(ndir, "nginx.conf")], stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        nginx_url = f"http://127.0.0.1:{port}/object.bin"

        conn = server.connection()
        project = server.call(conn, "POST", "/projects", server.admin_key, {"id": "bench"})
        token = project["api_key"]
        s3 = boto3.client("s3", endpoint_url=f"http://{server.host}:{server.port}/s3",
                          aws_access_key_id=token.split(".")[0], aws_secret_access_key=token,
                          region_name="us-east-1",
                          config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
        s3.create_bucket(Bucket="bench")
        put_url = s3.generate_presigned_url("put_object", Params={"Bucket": "bench", "Key": "object.bin"},
                                            ExpiresIn=3600)
        get_url = s3.generate_presigned_url("get_object", Params={"Bucket": "bench", "Key": "object.bin"},
                                            ExpiresIn=3600)

        # Warm the page cache with the source file once, so both sides read it from memory.
        crc = 0
        with open(source, "rb") as f:
            while block := f.read(1 << 24):
                crc = zlib.crc32(block, crc)
        crc_header = "x-amz-checksum-crc32: " + base64.b64encode((crc & 0xFFFFFFFF).to_bytes(4, "big")).decode()
        put_nginx = best(args.runs, lambda: curl("-T", source, nginx_url))
        put_duck = best(args.runs, lambda: curl("-T", source, put_url))
        put_crc = best(args.runs, lambda: curl("-T", source, "-H", crc_header, put_url))
        get_nginx = best(args.runs, lambda: curl(nginx_url))
        get_duck = best(args.runs, lambda: curl(get_url))
        get_crc = best(args.runs, lambda: curl("-H", "x-amz-checksum-mode: ENABLED", get_url))
        mb = size / 1e6
        print(f"object: {args.size_mb} MiB, best of {args.runs}")
        print(f"PUT  nginx {mb / put_nginx:8.1f} MB/s  duckstore {mb / put_duck:8.1f} MB/s  "
              f"ratio {put_nginx / put_duck:.2f}")
        print(f"GET  nginx {mb / get_nginx:8.1f} MB/s  duckstore {mb / get_duck:8.1f} MB/s  "
              f"ratio {get_nginx / get_duck:.2f}")
        print(f"PUT  CRC32 {mb / put_crc:8.1f} MB/s  vs no checksum {put_duck / put_crc:.2f}")
        print(f"GET  CRC32 {mb / get_crc:8.1f} MB/s  vs no checksum {get_duck / get_crc:.2f}")

        # Multipart: the same 64 MiB part file uploaded as every part, four at a time; Complete timed for
        # each object size (it must not grow with the size), RSS sampled throughout.
        part_mb = 64
        part_file = os.path.join(work, "part.bin")
        with open(source, "rb") as src, open(part_file, "wb") as dst:
            dst.write(src.read(part_mb << 20))
        idle = rss_kb(server.proc.pid)
        peak = [idle]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_kb(server.proc.pid))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample)
        sampler.start()
        for gb in args.complete_gb:
            key = f"multipart-{gb:g}g.bin"
            parts = max(1, int(gb * 1024) // part_mb)
            upload_id = s3.create_multipart_upload(Bucket="bench", Key=key)["UploadId"]

            def upload(number, key=key, upload_id=upload_id):
                url = s3.generate_presigned_url("upload_part", Params={
                    "Bucket": "bench", "Key": key, "UploadId": upload_id, "PartNumber": number}, ExpiresIn=3600)
                out = subprocess.run(["curl", "-sS", "-f", "-T", part_file, "-D", "-", "-o", "/dev/null", url],
                                     capture_output=True, text=True, check=True)
                etag = [l.split(":", 1)[1].strip() for l in out.stdout.splitlines()
                        if l.lower().startswith("etag:")][0]
                return {"PartNumber": number, "ETag": etag}

            started = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                done = list(pool.map(upload, range(1, parts + 1)))
            uploaded = time.monotonic()
            s3.complete_multipart_upload(Bucket="bench", Key=key, UploadId=upload_id,
                                         MultipartUpload={"Parts": done})
            completed = time.monotonic()
            head = s3.head_object(Bucket="bench", Key=key)
            assert head["ContentLength"] == parts * (part_mb << 20)
            print(f"multipart: {parts} x {part_mb} MiB = {head['ContentLength'] / 2**30:.1f} GiB; upload "
                  f"{uploaded - started:.1f} s, complete {(completed - uploaded) * 1000:.0f} ms")
            if gb == args.complete_gb[0]:
                # Reading an object stored as its parts' blobs, against the single-blob GET above.
                url = s3.generate_presigned_url("get_object", Params={"Bucket": "bench", "Key": key},
                                                ExpiresIn=3600)
                get_parts = best(args.runs, lambda: curl(url))
                print(f"GET  multipart object {head['ContentLength'] / 1e6 / get_parts:8.1f} MB/s  "
                      f"vs single-blob object {(head['ContentLength'] / get_parts) / (size / get_duck):.2f}")
            s3.delete_object(Bucket="bench", Key=key)
        stop.set()
        sampler.join()
        print(f"RSS idle {idle / 1024:.1f} MiB, peak {peak[0] / 1024:.1f} MiB, growth {(peak[0] - idle) / 1024:.1f} MiB")
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
