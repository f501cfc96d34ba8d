"""A local S3-compatible server (moto in server mode, its own process) on loopback.

The app reaches it over HTTP exactly as it would reach AWS S3 or MinIO, through the settings an
operator sets (`ENHANCER_S3_*`, `AWS_*` in the environment), so a cluster subprocess started with
that environment shares the same bucket. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import boto3

REGION = "us-east-1"
STARTUP_SECONDS = 30
# Fake credentials: moto accepts any; boto3 then looks no further (no profile, no instance metadata).
TEST_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "enhance-desk-test",
    "AWS_SECRET_ACCESS_KEY": "enhance-desk-test-secret",
}


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """Run moto's S3 server on a free loopback port, in its own process; yield its endpoint URL.

    Its own process, not a thread: what the tests measure of the app's memory is then the app's alone.
    """
    port = _free_loopback_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"The moto S3 server exited at start (code {server.returncode}).")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"The moto S3 server did not answer on 127.0.0.1:{port} within {STARTUP_SECONDS} s.")


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
        """Empty and delete the bucket (moto keeps objects in memory for the whole run)."""
        for key in self.keys():
            self.client.delete_object(Bucket=self.name, Key=key)
        self.client.delete_bucket(Bucket=self.name)
