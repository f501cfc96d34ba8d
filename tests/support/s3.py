"""A local S3-compatible server (moto in server mode, a thread of the test process) on loopback.

The app reaches it over HTTP exactly as it would reach AWS S3 or MinIO, through the settings an
operator sets (`ENHANCER_S3_*`, `AWS_*` in the environment), so a cluster subprocess started with
that environment shares the same bucket. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

import boto3

REGION = "us-east-1"
# Fake credentials: moto accepts any; boto3 then looks no further (no profile, no instance metadata).
TEST_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "enhance-desk-test",
    "AWS_SECRET_ACCESS_KEY": "enhance-desk-test-secret",
}


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """Run moto's S3 on a free loopback port; yield its endpoint URL."""
    from moto.server import ThreadedMotoServer  # slow to import: only for the tests that use it

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


class Bucket:
    """A fresh bucket on the server, seen as an operator would see it (keys, bytes, content types)."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self.name = f"enhance-desk-{secrets.token_hex(6)}"
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=REGION,
            aws_access_key_id=TEST_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=TEST_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        self.client.create_bucket(Bucket=self.name)

    def environment(self) -> dict[str, str]:
        """What an operator sets on every host to use this bucket."""
        return {
            "ENHANCER_S3_BUCKET": self.name,
            "ENHANCER_S3_ENDPOINT_URL": self.endpoint_url,
            "ENHANCER_S3_REGION": REGION,
            **TEST_CREDENTIALS,
        }

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def content_type(self, key: str) -> str:
        return self.client.head_object(Bucket=self.name, Key=key)["ContentType"]

    def remove(self) -> None:
        """Empty and delete the bucket (moto keeps objects in this process's memory)."""
        for key in self.keys():
            self.client.delete_object(Bucket=self.name, Key=key)
        self.client.delete_bucket(Bucket=self.name)
