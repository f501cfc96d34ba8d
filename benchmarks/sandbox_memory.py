"""Peak memory of one sandbox enhancement of a 12 MP phone photo (4000 x 3000 JPEG) at 2x and 4x.

Each measurement runs in a fresh child process and reports its own peak resident set (ru_maxrss),
the interpreter and imports included (shown apart as "baseline"). `--full` also measures the full
treatment (Lanczos, sharpening) at 2x, the path every photo took before the reduced one existed.

    .venv/bin/python benchmarks/sandbox_memory.py [--full]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def child(scale: int, full: bool) -> None:
    sys.path.insert(0, ROOT)
    from PIL import Image

    from enhancer.sandbox import enhance

    if full:
        enhance.LARGE_OUTPUT_PIXELS = 10**12
    with tempfile.TemporaryDirectory() as folder:
        source = os.path.join(folder, "photo.jpg")
        Image.new("RGB", (4000, 3000), (180, 120, 60)).save(source, format="JPEG")
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        with open(os.path.join(folder, "result.jpg"), "wb") as out:
            enhance.enhance_file(source, scale, f"general_{scale}x", ".jpg", out)
        seconds = time.perf_counter() - started
        with Image.open(os.path.join(folder, "result.jpg")) as result:
            size = result.size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    path = (
        "full" if full else "reduced" if 4000 * 3000 * scale * scale > enhance.LARGE_OUTPUT_PIXELS else "full"
    )
    megapixels = size[0] * size[1] / 1e6
    print(
        f"| {scale}x | {size[0]} x {size[1]} ({megapixels:.0f} MP) | {path} | {baseline / 1024:.0f} MB "
        f"| {peak / 1024:.0f} MB | {megapixels * 4:.0f} MB | {seconds:.1f} s |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--full", action="store_true", help="also measure the full treatment at 2x")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--force-full", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.force_full)
        return
    print("| scale | result | path | baseline | peak RSS | result in Pillow (4 B/px) | time |")
    print("|---|---|---|---|---|---|---|")
    runs = [(2, False), (4, False)] + ([(2, True)] if args.full else [])
    for scale, full in runs:
        command = [sys.executable, __file__, "--child", str(scale)] + (["--force-full"] if full else [])
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
