"""How much memory a worker needs to save a large result: fetch, inspect and store a 192 MP image.

A 4x model turns a 12 MP photo into a 16000 × 12000 (192 MP) result. This script serves such
results from a loopback HTTP server (a separate process) and runs the app's own
`enhancer.media.fetcher.fetch_image` (streamed to a temporary file, inspected from the header and
the file's structure) and `enhancer.media.storage.store` (copied into Django's default storage in
chunks) in a fresh worker process per scenario, one at a time and N at once in threads. It reports
each worker's peak RSS growth (VmHWM from /proc/self/status, reset after warm-up through
/proc/self/clear_refs, so imports and the warm-up are not counted) and the wall time.

The images are made once and cached (`--cache`, default /tmp/enhance-bench):
- a solid-colour RGB PNG, written row block by row block through zlib (never whole in memory);
- a solid-colour greyscale (mode "L") JPEG, encoded by Pillow in a child process (192 MB there,
  once; the measured workers never see it);
- a noise PNG (random greyscale pixels, stored uncompressed: a 192 MB file), so that the streaming
  of a big body is measured too, not only the header checks; and the same pixels in a single IDAT
  chunk, for the inspection table only (Pillow's verify() reads a chunk whole).

    .venv/bin/python scripts/bench_memory.py [--threads 8] [--cache /tmp/enhance-bench]

Prints a markdown table (docs/benchmarks.md, "Memory while saving large results").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 16000, 12000
MB = 1024 * 1024

IMAGES = {
    "solid.png": "solid-colour PNG (RGB)",
    "solid.jpg": "solid-colour JPEG (greyscale)",
    "noise.png": "noise PNG (greyscale, stored)",
}
INSPECTED = {**IMAGES, "one-chunk.png": "noise PNG, all pixels in one IDAT chunk"}


# --- Images, made once --------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_png(path: Path, width: int, height: int, *, colour: bool, noise: bool, idat: int = MB) -> None:
    """Stream a PNG to disk a block of rows at a time, in IDAT chunks of `idat` bytes (encoders write
    8 KB to 1 MB; nothing forbids one chunk for the whole image)."""
    channels = 3 if colour else 1
    row_bytes = 1 + width * channels
    rows_per_block = max(1, (4 * MB) // row_bytes)
    compressor = zlib.compressobj(0 if noise else 6)
    solid_row = b"\0" + bytes((40, 90, 160)[:channels]) * width
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        out.write(_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2 if colour else 0, 0, 0, 0)))
        pending = b""
        for start in range(0, height, rows_per_block):
            rows = min(rows_per_block, height - start)
            if noise:
                raw = b"".join(b"\0" + os.urandom(width * channels) for _ in range(rows))
            else:
                raw = solid_row * rows
            pending += compressor.compress(raw)
            while len(pending) >= idat:
                out.write(_chunk(b"IDAT", pending[:idat]))
                pending = pending[idat:]
        pending += compressor.flush()
        for offset in range(0, len(pending), idat):
            out.write(_chunk(b"IDAT", pending[offset : offset + idat]))
        out.write(_chunk(b"IEND", b""))


def write_jpeg(path: Path, width: int, height: int) -> None:
    """In a child process: Pillow needs the whole image in memory to encode it (192 MB in mode L)."""
    code = (
        "import sys; from PIL import Image; Image.MAX_IMAGE_PIXELS = None; "
        f"Image.new('L', ({width}, {height}), 128).save(sys.argv[1], format='JPEG', quality=90)"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)


def prepare(cache: Path) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    makers = {
        "solid.png": lambda p: write_png(p, WIDTH, HEIGHT, colour=True, noise=False),
        "solid.jpg": lambda p: write_jpeg(p, WIDTH, HEIGHT),
        "noise.png": lambda p: write_png(p, WIDTH, HEIGHT, colour=False, noise=True),
        "one-chunk.png": lambda p: write_png(p, WIDTH, HEIGHT, colour=False, noise=True, idat=1 << 31),
        "small.png": lambda p: write_png(p, 64, 48, colour=True, noise=False),
    }
    for name, make in makers.items():
        path = cache / name
        if not path.exists():
            print(f"making {path} ...", file=sys.stderr, flush=True)
            partial = path.with_suffix(".part")
            make(partial)
            partial.rename(path)


# --- The server: a separate process, so its memory is not the worker's ---------------------------


def start_server(cache: Path) -> tuple[subprocess.Popen, int]:
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(cache), "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = server.stdout.readline()
    match = re.search(r"port (\d+)", line)
    if not match:
        server.kill()
        raise SystemExit(f"http.server did not start: {line!r}")
    return server, int(match[1])


# --- The measured worker -------------------------------------------------------------------------


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def worker(base_url: str, image: str, threads: int, media: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitpaw_site.settings")
    os.environ["ENHANCER_MEDIA_ROOT"] = media
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from PIL import Image

    from enhancer.media.fetcher import fetch_image
    from enhancer.media.storage import store

    Image.init()

    def save(url: str, stem: str) -> tuple[int, int]:
        with fetch_image(
            url,
            max_bytes=1536 * MB,
            max_pixels=432_000_000,
            allow_private=True,
            read_timeout=30.0,
            total_seconds=300.0,
        ) as fetched:
            store(fetched.path, "results", stem, fetched.info.extension)
            return fetched.info.width, fetched.info.height

    save(f"{base_url}/small.png", "warm-up")  # imports, TLS/requests set-up, storage folders
    baseline = status_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    barrier = threading.Barrier(threads)
    sizes: list[tuple[int, int]] = []
    errors: list[str] = []

    def run(number: int) -> None:
        barrier.wait()
        try:
            sizes.append(save(f"{base_url}/{image}", f"bench-{number}"))
        except Exception as error:  # reported, not raised: the table says what failed
            errors.append(f"{type(error).__name__}: {error}")

    started = time.monotonic()
    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    seconds = time.monotonic() - started
    peak = status_kb("VmHWM")
    return {
        "image": image,
        "threads": threads,
        "baseline_mb": baseline / 1024,
        "peak_mb": peak / 1024,
        "growth_mb": (peak - baseline) / 1024,
        "seconds": seconds,
        "sizes": sorted(set(sizes)),
        "errors": errors,
    }


def inspect_only(path: str) -> dict:
    """Our inspection against Pillow's own verify(), for the record (each in a fresh process)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitpaw_site.settings")
    from PIL import Image

    from enhancer.media.imaging import inspect_image_file

    Image.init()
    baseline = status_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    started = time.monotonic()
    info = inspect_image_file(path, max_pixels=432_000_000)
    ours = time.monotonic() - started, (status_kb("VmHWM") - baseline) / 1024
    Path("/proc/self/clear_refs").write_text("5")
    baseline = status_kb("VmRSS")
    started = time.monotonic()
    with Image.open(path) as image:
        image.verify()
    pillow = time.monotonic() - started, (status_kb("VmHWM") - baseline) / 1024
    return {"image": Path(path).name, "megapixels": info.megapixels, "ours": ours, "pillow_verify": pillow}


def child(args: list[str]) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=8, help="fetches at once in the second run")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "enhance-bench")
    parser.add_argument(
        "--worker", nargs=4, metavar=("URL", "IMAGE", "THREADS", "MEDIA"), help=argparse.SUPPRESS
    )
    parser.add_argument("--inspect", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        url, image, threads, media = args.worker
        print(json.dumps(worker(url, image, int(threads), media)))
        return
    if args.inspect:
        print(json.dumps(inspect_only(args.inspect)))
        return

    prepare(args.cache)
    server, port = start_server(args.cache)
    base_url = f"http://127.0.0.1:{port}"
    rows = []
    try:
        for image, label in IMAGES.items():
            size_mb = (args.cache / image).stat().st_size / MB
            for threads in (1, args.threads):
                with tempfile.TemporaryDirectory(prefix="enhance-bench-media-") as media:
                    result = child(["--worker", base_url, image, str(threads), media])
                rows.append((label, size_mb, result))
                print(f"{image} x{threads}: {result}", file=sys.stderr, flush=True)
        checks = [child(["--inspect", str(args.cache / image)]) for image in [*IMAGES, "one-chunk.png"]]
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(
        f"\n192 MP = {WIDTH} × {HEIGHT}; worker baseline after warm-up ≈ {rows[0][2]['baseline_mb']:.0f} MB RSS\n"
    )
    print("| result | file size | at once | peak RSS growth | wall time | saved |")
    print("|---|---:|---:|---:|---:|---|")
    for label, size_mb, result in rows:
        saved = "all" if not result["errors"] else f"{len(result['errors'])} failed: {result['errors'][0]}"
        print(
            f"| {label} | {size_mb:.1f} MB | {result['threads']} | {result['growth_mb']:.1f} MB "
            f"| {result['seconds']:.2f} s | {saved} |"
        )
    print("\n| image | our inspection: time, peak growth | Pillow `verify()`: time, peak growth |")
    print("|---|---:|---:|")
    for check in checks:
        (ours_s, ours_mb), (pil_s, pil_mb) = check["ours"], check["pillow_verify"]
        print(
            f"| {INSPECTED[check['image']]} | {ours_s:.2f} s, {ours_mb:.1f} MB | {pil_s:.2f} s, {pil_mb:.1f} MB |"
        )


if __name__ == "__main__":
    main()
