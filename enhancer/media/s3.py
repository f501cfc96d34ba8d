"""Media in an S3-compatible bucket (AWS S3, MinIO, ...), shared by every web and worker host.

`storages.backends.s3.S3Storage` with two changes:

- `open_stream` hands a page the object as it arrives from the bucket. `S3Storage.open` first
  copies the whole object into a temporary file, which a 1 GB result would make the browser wait
  for; thumbnails and the sandbox, which must seek, still use it (on disk past `max_memory_size`).
- One 8 MB part moves at a time. boto3's default keeps up to ten parts in memory per upload
  (80 MB), for each of the many jobs a worker host saves at once.
"""

from __future__ import annotations

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError
from django.core.files import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class SharedS3Storage(S3Storage):
    """Private objects, streamed when served; the options come from settings (ENHANCER_S3_*)."""

    def get_default_settings(self) -> dict:
        defaults = super().get_default_settings()
        defaults["transfer_config"] = TransferConfig(use_threads=False)  # one part in memory at a time
        return defaults

    def open_stream(self, name: str) -> File:
        """The stored object as a read-only stream, its `size` known before the first byte."""
        key = self._normalize_name(clean_name(name))
        try:
            answer = self.bucket.Object(key).get()
        except ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(f"File does not exist: {name}") from None
            raise
        stream = File(answer["Body"], name=name)
        stream.size = answer["ContentLength"]
        return stream
