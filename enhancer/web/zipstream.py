"""A zip file written while it is sent: no temporary file, no whole archive in memory."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from typing import IO

CHUNK = 256 * 1024


class _Pipe:
    """A write-only file for `zipfile` that hands on what was written since the last look."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def drain(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data


def stream_zip(members: Iterable[tuple[str, IO[bytes]]]) -> Iterator[bytes]:
    """Yield a zip of `(name, open file)` pairs piece by piece; each file is closed once written.

    Photos are compressed already, so they are stored as they are (no CPU spent for nothing).
    """
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, source in members:
            with source, archive.open(name, "w", force_zip64=True) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield pipe.drain()
            yield pipe.drain()
    yield pipe.drain()


def unique_names(names: Iterable[str]) -> list[str]:
    """`a.jpg, a.jpg` -> `a.jpg, a (2).jpg`: every member of an archive needs its own name."""
    seen: set[str] = set()
    result = []
    for name in names:
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        candidate, n = name, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{stem} ({n}).{ext}" if dot else f"{stem} ({n})"
        seen.add(candidate.lower())
        result.append(candidate)
    return result
