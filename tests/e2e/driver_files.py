"""File helpers for the storage driver's import/export tests: object-store buckets and uploads through S3
(boto3), TableImportFromFile / TableExportToFile commands addressing them, and reading sliced exports back."""

from __future__ import annotations

import csv
import gzip
import io
import json

import s3util
from keboola.storage_driver import table_pb2

Shared = table_pb2.ImportExportShared
Csv = table_pb2.TableImportFromFileCommand.CsvTypeOptions
Options = Shared.ImportOptions


class Files:
    """An object-store bucket of a project, used through the S3 API with the project's key."""

    def __init__(self, server, key: str, bucket: str):
        self.key = key
        self.bucket = bucket
        self.s3 = s3util.client(server, key)
        self.s3.create_bucket(Bucket=bucket)

    def put(self, key: str, text: str, compress: bool = False) -> None:
        body = text.encode()
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=gzip.compress(body) if compress else body)

    def get(self, key: str) -> bytes:
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def keys(self, prefix: str) -> list[str]:
        listing = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return [o["Key"] for o in listing.get("Contents", [])]

    def credentials(self, token: str | None = None):
        """S3Credentials as Connection sends them: key = the key id, secret = the whole key."""
        key_id, secret = s3util.key_pair(token or self.key)
        return Shared.S3Credentials(key=key_id, secret=secret, region=s3util.REGION)

    def path(self, path: str, file_name: str) -> Shared.FilePath:
        return Shared.FilePath(root=self.bucket, path=path, fileName=file_name)

    def import_command(self, bucket: str, table: str, path: str, file_name: str, *, columns=(), options=None,
                       csv_options: dict | None = None, file_format=Shared.CSV, credentials=None,
                       provider=Shared.S3) -> table_pb2.TableImportFromFileCommand:
        command = table_pb2.TableImportFromFileCommand(
            fileProvider=provider, fileFormat=file_format, filePath=self.path(path, file_name),
            destination=Shared.Table(path=[bucket], tableName=table),
            importOptions=options or Options(numberOfIgnoredLines=1))
        dialect = {"delimiter": ",", "enclosure": '"', **(csv_options or {})}
        command.formatTypeOptions.Pack(Csv(columnsNames=list(columns), **dialect))
        if credentials is not False:
            command.fileCredentials.Pack(credentials or self.credentials())
        return command

    def export_command(self, bucket: str, table: str, path: str, file_name: str, *, file_format=Shared.CSV,
                       credentials=None, **export_options) -> table_pb2.TableExportToFileCommand:
        command = table_pb2.TableExportToFileCommand(
            source=Shared.Table(path=[bucket], tableName=table), fileProvider=Shared.S3, fileFormat=file_format,
            filePath=self.path(path, file_name), exportOptions=Shared.ExportOptions(**export_options))
        if credentials is not False:
            command.fileCredentials.Pack(credentials or self.credentials())
        return command

    def manifest(self, prefix: str) -> list[str]:
        """The keys a sliced export's manifest "<prefix>manifest" lists, checking each entry's form."""
        manifest = json.loads(self.get(prefix + "manifest"))
        keys = []
        for entry in manifest["entries"]:
            assert entry["mandatory"] is True, manifest
            assert entry["url"].startswith(f"s3://{self.bucket}/"), manifest
            keys.append(entry["url"][len(f"s3://{self.bucket}/"):])
        return keys

    def exported_csv(self, prefix: str, compressed: bool) -> list[list[str]]:
        """The rows of a sliced CSV export, slices in manifest order (no header)."""
        rows = []
        for key in self.manifest(prefix):
            data = self.get(key)
            assert (data[:2] == b"\x1f\x8b") == compressed, key
            text = gzip.decompress(data).decode() if compressed else data.decode()
            rows.extend(csv.reader(io.StringIO(text)))
        return rows


def to_csv(header: list[str] | None, rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def import_response_checks(response, imported: int, total: int, columns: list[str]) -> None:
    assert (response.importedRowsCount, response.tableRowsCount) == (imported, total), response
    assert list(response.importedColumns) == columns, response
    assert response.tableSizeBytes >= 0, response
    assert response.timers and all(float(t.duration) >= 0 and t.name for t in response.timers), response
