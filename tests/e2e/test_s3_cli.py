"""The S3 API through the real aws CLI: s3 cp/sync/ls/rm (with a multipart upload of several hundred MB and a
recursive sync of a tree), s3api listing pagination, copies, batch deletes, multipart listings, and
`aws s3 presign` fetched with curl."""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from harness import unique_id
from s3util import AwsCli

BIG_FILE_MB = 300


@pytest.fixture
def cli(server, project, tmp_path):
    return AwsCli(server, project.key, tmp_path / "aws")


@pytest.fixture
def bucket(cli):
    name = unique_id("cli")
    cli.run("s3", "mb", f"s3://{name}")
    return name


def md5_of(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def test_cp_small_and_ls_and_rm(cli, bucket, tmp_path):
    source = tmp_path / "hello.csv"
    source.write_text("id,name\n1,a\n")
    cli.run("s3", "cp", str(source), f"s3://{bucket}/in/hello.csv")
    listing = cli.run("s3", "ls", f"s3://{bucket}/in/").stdout
    assert "hello.csv" in listing and str(source.stat().st_size) in listing
    assert f"PRE in/" in cli.run("s3", "ls", f"s3://{bucket}").stdout
    target = tmp_path / "back.csv"
    cli.run("s3", "cp", f"s3://{bucket}/in/hello.csv", str(target))
    assert target.read_text() == source.read_text()
    cli.run("s3", "rm", f"s3://{bucket}/in/hello.csv")
    assert cli.run("s3", "ls", f"s3://{bucket}/in/", check=False).stdout.strip() == ""


def test_multipart_cp_of_a_large_file(cli, bucket, tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        block = os.urandom(1 << 20)
        for i in range(BIG_FILE_MB):
            # Distinct blocks, so that a misplaced part changes the content.
            f.write(i.to_bytes(8, "little") + block[8:])
    cli.run("s3", "cp", str(big), f"s3://{bucket}/big.bin")
    head = json.loads(cli.run("s3api", "head-object", "--bucket", bucket, "--key", "big.bin").stdout)
    assert head["ContentLength"] == BIG_FILE_MB << 20
    assert head["ETag"].strip('"').endswith(f"-{BIG_FILE_MB // 8 + (1 if BIG_FILE_MB % 8 else 0)}")
    back = tmp_path / "big.back"
    cli.run("s3", "cp", f"s3://{bucket}/big.bin", str(back))
    assert md5_of(back) == md5_of(big)


def test_recursive_sync_of_a_tree(cli, bucket, tmp_path):
    tree = tmp_path / "tree"
    files = {"a.csv": b"a", "dir/b.csv": b"bb", "dir/sub/c.csv": b"ccc", "dir/sub/deeper/d e.csv": b"dddd",
             "ünï/ко.txt": "unicode".encode(), "big/9mb.bin": os.urandom(9 << 20)}
    for name, content in files.items():
        path = tree / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    cli.run("s3", "sync", str(tree), f"s3://{bucket}/tree")
    listed = cli.run("s3", "ls", "--recursive", f"s3://{bucket}/tree/").stdout
    assert sorted(line.split(None, 3)[3] for line in listed.splitlines()) == sorted(f"tree/{n}" for n in files)
    # A second sync uploads nothing; a changed file is uploaded again.
    assert cli.run("s3", "sync", str(tree), f"s3://{bucket}/tree").stdout.strip() == ""
    (tree / "dir/b.csv").write_bytes(b"changed!")
    assert "dir/b.csv" in cli.run("s3", "sync", str(tree), f"s3://{bucket}/tree").stdout
    down = tmp_path / "down"
    cli.run("s3", "sync", f"s3://{bucket}/tree", str(down))
    comparison = filecmp.dircmp(tree, down)
    assert not comparison.left_only and not comparison.right_only
    for name in files:
        assert (down / name).read_bytes() == (tree / name).read_bytes(), name
    cli.run("s3", "rm", "--recursive", f"s3://{bucket}/tree")
    assert cli.run("s3", "ls", "--recursive", f"s3://{bucket}/", check=False).stdout.strip() == ""


def test_s3api_pagination_copy_and_batch_delete(cli, bucket, tmp_path):
    keys = [f"k/{i:03d}" for i in range(25)]
    tree = tmp_path / "k"
    tree.mkdir()
    for key in keys[:-1]:
        (tmp_path / key).write_bytes(b"object")
    # One CLI run per step: each start of the CLI costs seconds on a loaded machine.
    cli.run("s3", "cp", "--recursive", str(tree), f"s3://{bucket}/k")
    cli.run("s3api", "copy-object", "--bucket", bucket, "--key", keys[-1], "--copy-source", f"{bucket}/k/000")
    # The CLI follows continuation tokens page by page.
    listed = json.loads(cli.run("s3api", "list-objects-v2", "--bucket", bucket, "--page-size", "4").stdout)
    assert [o["Key"] for o in listed["Contents"]] == keys
    first = json.loads(cli.run("s3api", "list-objects-v2", "--bucket", bucket, "--max-items", "10").stdout)
    assert [o["Key"] for o in first["Contents"]] == keys[:10]
    rest = json.loads(cli.run("s3api", "list-objects-v2", "--bucket", bucket, "--starting-token",
                              first["NextToken"]).stdout)
    assert [o["Key"] for o in rest["Contents"]] == keys[10:]
    v1 = json.loads(cli.run("s3api", "list-objects", "--bucket", bucket, "--page-size", "7").stdout)
    assert [o["Key"] for o in v1["Contents"]] == keys

    delete = {"Objects": [{"Key": k} for k in keys[:20]], "Quiet": False}
    result = json.loads(cli.run("s3api", "delete-objects", "--bucket", bucket, "--delete", json.dumps(delete)).stdout)
    assert sorted(d["Key"] for d in result["Deleted"]) == keys[:20]
    remaining = json.loads(cli.run("s3api", "list-objects-v2", "--bucket", bucket).stdout)
    assert [o["Key"] for o in remaining["Contents"]] == keys[20:]


def test_s3api_multipart_listing(cli, bucket, tmp_path):
    part = tmp_path / "part"
    part.write_bytes(os.urandom(5 << 20))
    ids = []
    for key in ("m/one", "m/two", "m/two"):
        created = json.loads(cli.run("s3api", "create-multipart-upload", "--bucket", bucket, "--key", key).stdout)
        ids.append(created["UploadId"])
    uploads = json.loads(cli.run("s3api", "list-multipart-uploads", "--bucket", bucket).stdout)["Uploads"]
    assert [u["Key"] for u in uploads] == ["m/one", "m/two", "m/two"]
    assert sorted(u["UploadId"] for u in uploads) == sorted(ids)
    paged = json.loads(cli.run("s3api", "list-multipart-uploads", "--bucket", bucket, "--page-size", "1").stdout)
    assert len(paged["Uploads"]) == 3

    etags = []
    for number in (1, 2):
        uploaded = json.loads(cli.run("s3api", "upload-part", "--bucket", bucket, "--key", "m/one", "--upload-id",
                                      ids[0], "--part-number", str(number), "--body", str(part)).stdout)
        etags.append(uploaded["ETag"])
    parts = json.loads(cli.run("s3api", "list-parts", "--bucket", bucket, "--key", "m/one", "--upload-id",
                               ids[0]).stdout)["Parts"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in parts] == [(1, etags[0], 5 << 20), (2, etags[1], 5 << 20)]
    layout = {"Parts": [{"PartNumber": n, "ETag": e} for n, e in zip((1, 2), etags)]}
    cli.run("s3api", "complete-multipart-upload", "--bucket", bucket, "--key", "m/one", "--upload-id", ids[0],
            "--multipart-upload", json.dumps(layout))
    for upload_id in ids[1:]:
        cli.run("s3api", "abort-multipart-upload", "--bucket", bucket, "--key", "m/two", "--upload-id", upload_id)
    left = json.loads(cli.run("s3api", "list-multipart-uploads", "--bucket", bucket).stdout or "{}")
    assert not left.get("Uploads")
    head = json.loads(cli.run("s3api", "head-object", "--bucket", bucket, "--key", "m/one").stdout)
    assert head["ContentLength"] == 10 << 20


def test_presign_and_curl(cli, bucket, tmp_path):
    source = tmp_path / "shared.txt"
    source.write_text("fetched with curl")
    cli.run("s3", "cp", str(source), f"s3://{bucket}/shared.txt")
    url = cli.run("s3", "presign", f"s3://{bucket}/shared.txt", "--expires-in", "120").stdout.strip()
    fetched = subprocess.run(["curl", "-sS", "-f", url], capture_output=True, text=True, timeout=60)
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout == "fetched with curl"
    ranged = subprocess.run(["curl", "-sS", "-f", "-r", "0-6", url], capture_output=True, text=True, timeout=60)
    assert ranged.stdout == "fetched"
    denied = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", url.replace("X-Amz-Signature=", "X-Amz-Signature=0")],
                            capture_output=True, text=True, timeout=60)
    assert denied.stdout == "403"


def test_s3api_upload_part_copy_and_delimited_upload_listing(cli, bucket, tmp_path):
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom((5 << 20) + 4096))
    cli.run("s3", "cp", str(source), f"s3://{bucket}/src/source.bin")
    created = json.loads(cli.run("s3api", "create-multipart-upload", "--bucket", bucket, "--key", "out/joined.bin").stdout)
    upload_id = created["UploadId"]
    cli.run("s3api", "create-multipart-upload", "--bucket", bucket, "--key", "top.bin")
    copies = []
    for number, extra in ((1, ["--copy-source-range", f"bytes=4096-{(5 << 20) + 4095}"]), (2, [])):
        copied = json.loads(cli.run("s3api", "upload-part-copy", "--bucket", bucket, "--key", "out/joined.bin",
                                    "--upload-id", upload_id, "--part-number", str(number),
                                    "--copy-source", f"{bucket}/src/source.bin", *extra).stdout)
        copies.append(copied["CopyPartResult"]["ETag"])
    data = source.read_bytes()
    assert copies[0] == '"%s"' % hashlib.md5(data[4096:]).hexdigest()
    assert copies[1] == '"%s"' % hashlib.md5(data).hexdigest()

    listing = json.loads(cli.run("s3api", "list-multipart-uploads", "--bucket", bucket, "--delimiter", "/").stdout)
    assert [u["Key"] for u in listing["Uploads"]] == ["top.bin"]
    assert [p["Prefix"] for p in listing["CommonPrefixes"]] == ["out/"]
    nested = json.loads(cli.run("s3api", "list-multipart-uploads", "--bucket", bucket, "--prefix", "out/",
                                "--delimiter", "/").stdout)
    assert [(u["Key"], u["UploadId"]) for u in nested["Uploads"]] == [("out/joined.bin", upload_id)]

    layout = {"Parts": [{"PartNumber": n, "ETag": e} for n, e in zip((1, 2), copies)]}
    cli.run("s3api", "complete-multipart-upload", "--bucket", bucket, "--key", "out/joined.bin", "--upload-id",
            upload_id, "--multipart-upload", json.dumps(layout))
    back = tmp_path / "back.bin"
    cli.run("s3", "cp", f"s3://{bucket}/out/joined.bin", str(back))
    assert back.read_bytes() == data[4096:] + data
