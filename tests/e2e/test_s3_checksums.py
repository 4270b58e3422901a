"""Stored S3 checksums through Debian's boto3: returned by GetObject/HeadObject with x-amz-checksum-mode:
ENABLED (not for a range), by GetObjectAttributes and ListParts, kept by CopyObject, and derived on
CompleteMultipartUpload (FULL_OBJECT combined from the parts' CRCs, COMPOSITE of the part checksums,
UploadPartCopy parts included); a part checksum that is not the part's is InvalidPart, a wrong whole-object
checksum on Complete BadDigest. Values are checked against independent implementations
(s3util.checksum). This boto3 predates ChecksumType, so the type is read from the raw headers and sent as a
header; the JS SDK reads it back with its own parameters (test_s3_js_clients.py)."""

from __future__ import annotations

import botocore.exceptions
import pytest

from s3util import checksum, client, composite_checksum, with_headers


def header(response: dict, name: str) -> str | None:
    return response["ResponseMetadata"]["HTTPHeaders"].get(name)


def test_object_checksums_are_returned_when_asked(s3, bucket):
    data = bytes(range(256)) * 300
    s3.put_object(Bucket=bucket, Key="obj", Body=data, ChecksumAlgorithm="SHA256")
    expected = checksum("SHA256", data)
    got = s3.get_object(Bucket=bucket, Key="obj", ChecksumMode="ENABLED")
    assert got["Body"].read() == data  # boto3 verifies the body against the returned checksum
    assert got["ChecksumSHA256"] == expected and header(got, "x-amz-checksum-type") == "FULL_OBJECT"
    assert "ChecksumSHA256" not in s3.get_object(Bucket=bucket, Key="obj")  # not asked
    head = s3.head_object(Bucket=bucket, Key="obj", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == expected
    ranged = s3.get_object(Bucket=bucket, Key="obj", Range="bytes=0-9", ChecksumMode="ENABLED")
    assert ranged["Body"].read() == data[:10] and "ChecksumSHA256" not in ranged
    attributes = s3.get_object_attributes(Bucket=bucket, Key="obj", ObjectAttributes=["Checksum", "ObjectSize"])
    assert attributes["Checksum"] == {"ChecksumSHA256": expected} and attributes["ObjectSize"] == len(data)

    s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "obj"})
    assert s3.head_object(Bucket=bucket, Key="copy", ChecksumMode="ENABLED")["ChecksumSHA256"] == expected


@pytest.mark.parametrize("algorithm,kind", [("CRC32", "FULL_OBJECT"), ("SHA1", "COMPOSITE")])
def test_multipart_checksums_with_a_copied_part(server, project, s3, bucket, algorithm, kind):
    source = bytes((i * 7) & 0xFF for i in range(6 * 1024 * 1024))
    s3.put_object(Bucket=bucket, Key="source", Body=source)
    last = b"the last part"
    key = f"mp-{algorithm}"
    creator = with_headers(client(server, project.key), "CreateMultipartUpload", {"x-amz-checksum-type": kind})
    upload = creator.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm=algorithm)
    assert upload["ChecksumAlgorithm"] == algorithm and header(upload, "x-amz-checksum-type") == kind
    upload_id = upload["UploadId"]
    copied = s3.upload_part_copy(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1,
                                 CopySource={"Bucket": bucket, "Key": "source"})
    sent = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=2, Body=last,
                          ChecksumAlgorithm=algorithm)
    assert sent["Checksum" + algorithm] == checksum(algorithm, last)
    listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    assert [p["Checksum" + algorithm] for p in listed["Parts"]] == [checksum(algorithm, source),
                                                                  checksum(algorithm, last)]
    assert listed["ChecksumAlgorithm"] == algorithm

    parts = [{"PartNumber": 1, "ETag": copied["CopyPartResult"]["ETag"]},
             {"PartNumber": 2, "ETag": sent["ETag"], "Checksum" + algorithm: sent["Checksum" + algorithm]}]
    whole = (checksum(algorithm, source + last) if kind == "FULL_OBJECT"
             else composite_checksum(algorithm, [source, last]))
    done = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert done["Checksum" + algorithm] == whole
    head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert head["Checksum" + algorithm] == whole and header(head, "x-amz-checksum-type") == kind
    got = s3.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert got["Body"].read() == source + last


def test_wrong_checksums_on_complete_are_refused(server, project, s3, bucket):
    creator = with_headers(client(server, project.key), "CreateMultipartUpload",
                           {"x-amz-checksum-type": "FULL_OBJECT"})
    upload = creator.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32C")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"content",
                          ChecksumAlgorithm="CRC32C")

    def refused(**extra):
        with pytest.raises(botocore.exceptions.ClientError) as error:
            s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, **extra)
        return error.value.response["Error"]["Code"]

    wrong_part = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"], "ChecksumCRC32C": checksum("CRC32C", b"x")}]}
    assert refused(MultipartUpload=wrong_part) == "InvalidPart"
    right_part = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}
    assert refused(MultipartUpload=right_part, ChecksumCRC32C=checksum("CRC32C", b"other")) == "BadDigest"
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="k")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload=right_part,
                                        ChecksumCRC32C=checksum("CRC32C", b"content"))
    assert done["ChecksumCRC32C"] == checksum("CRC32C", b"content")
    # An upload created with an algorithm refuses a part checksummed with another one.
    assert refused_part(s3, bucket) == "InvalidRequest"


def refused_part(s3, bucket: str) -> str:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="other", ChecksumAlgorithm="CRC32")["UploadId"]
    with pytest.raises(botocore.exceptions.ClientError) as error:
        s3.upload_part(Bucket=bucket, Key="other", UploadId=upload, PartNumber=1, Body=b"x", ChecksumAlgorithm="SHA1")
    return error.value.response["Error"]["Code"]
