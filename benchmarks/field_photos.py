#!/usr/bin/env python
"""Benchmark: what reading one field photo costs (field.photos.read_upload: header and pixel
checks, EXIF position/time, upright re-encoding to at most 2,560 px without EXIF, a 320 px
thumbnail) beside its floor, a bare Pillow decode and one JPEG encode at the same size.

Photos are made in memory (Pillow; noise so that JPEG has work to do): a phone's 12 MP (4000×3000)
and 48 MP (8000×6000) photo with EXIF GPS, and a 30000×30000 PNG decompression bomb (refused from
its header). No database is used. Prints best and median wall time (ms) of ``--repeat`` runs.

    .venv/bin/python benchmarks/field_photos.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")

import django  # noqa: E402

django.setup()

from PIL import Image  # noqa: E402

from field.photos import PhotoError, read_upload  # noqa: E402
from tests.field.images import bomb_png  # noqa: E402


def photo(width, height) -> bytes:
    noise = Image.effect_noise((width // 4, height // 4), 40).convert("RGB").resize((width, height))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (7.0, 53.0, 45.96), 3: "E", 4: (98.0, 17.0, 46.32)}
    out = io.BytesIO()
    noise.save(out, format="JPEG", quality=90, exif=exif)
    return out.getvalue()


class Upload(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.size = len(data)
        self.name = "bench.jpg"


def floor(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    image.load()
    image.thumbnail((2560, 2560))
    image.save(io.BytesIO(), format="JPEG", quality=85)


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for label, (w, h) in (("12 MP", (4000, 3000)), ("48 MP", (8000, 6000))):
        data = photo(w, h)
        best, median = timed(lambda d=data: read_upload(Upload(d)), args.repeat)
        fbest, fmedian = timed(lambda d=data: floor(d), args.repeat)
        print(
            f"{label} JPEG ({len(data) / 1048576:.1f} MB): read_upload best {best:.0f} ms, median {median:.0f} ms; "
            f"floor (decode + one encode) best {fbest:.0f} ms, median {fmedian:.0f} ms"
        )
    bomb = bomb_png()

    def refuse():
        try:
            read_upload(Upload(bomb))
        except PhotoError:
            return
        raise AssertionError("the bomb was read")

    best, median = timed(refuse, args.repeat)
    print(
        f"decompression bomb (30000×30000 PNG, {len(bomb) / 1024:.0f} kB): "
        f"refused in best {best:.1f} ms, median {median:.1f} ms"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
