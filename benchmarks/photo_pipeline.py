"""Benchmark: Linli's photo pipeline against a naive one and against the JPEG decode floor.

Run from the project root:  python -m benchmarks.photo_pipeline [--runs 7]

It generates a 4000×3000 photo-like JPEG (gradients, shapes, grain) with EXIF orientation 6 and
GPS, then times, as the median of several runs in this process:
- project: `app.uploads.pipeline.process_photo` (its web-size shrink runs on up to 4 threads);
- project, one thread: the same with `threads=1`, shown for comparison with the floor, which is
  single-threaded;
- naive:   full decode, exif_transpose, resize the full image to 1600 and to 360, save both;
- floor:   decoding the same JPEG at 1/8 scale with draft(), nothing else.
Peak resident memory (ru_maxrss) is measured once per candidate, each in a fresh spawned
process, next to a baseline process that only imports the same modules and reads the file.
Never collected as a test: speed is printed here, not asserted.
"""

from __future__ import annotations

import argparse
import io
import math
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageChops, ImageOps, ImageStat

from app.uploads.pipeline import process_photo
from tests.uploads.samples import encoded, exif_block, photo_like

WIDTH, HEIGHT = 4000, 3000
PEOPLES_SQUARE = ("N", (31, 13, 50.4), "E", (121, 28, 12))
GOAL_SPEEDUP_OVER_NAIVE = 2.0
GOAL_WITHIN_FLOOR = 2.5
GOAL_MEMORY_SHARE_OF_NAIVE = 0.5


def make_sample() -> bytes:
    """A 12 MP phone-like JPEG, stored sideways (orientation 6), with a GPS position."""
    image = photo_like(WIDTH, HEIGHT, seed=2026)
    return encoded(image, "JPEG", quality=92, exif=exif_block(orientation=6, gps=PEOPLES_SQUARE))


def run_project(data: bytes) -> None:
    process_photo(data)


def run_project_one_thread(data: bytes) -> None:
    process_photo(data, threads=1)


def run_naive(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    image.load()
    image = ImageOps.exif_transpose(image).convert("RGB")
    web = ImageOps.contain(image, (1600, 1600), Image.Resampling.LANCZOS)
    thumbnail = ImageOps.contain(image, (360, 360), Image.Resampling.LANCZOS)
    web.save(io.BytesIO(), "JPEG", quality=82, optimize=True, progressive=True)
    thumbnail.save(io.BytesIO(), "JPEG", quality=82, optimize=True)


def run_floor(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    image.draft("RGB", (image.width // 8, image.height // 8))
    image.load()


def decoded_at_half_scale(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.draft("RGB", (image.width // 2, image.height // 2))
    image.load()
    return image


def stage_seconds(data: bytes, runs: int) -> dict[str, float]:
    """Time the project's unavoidable stages on their own, to show where its time goes."""
    half = decoded_at_half_scale(data)
    web = ImageOps.contain(half, (1600, 1600), Image.Resampling.BOX)

    def shrink(_: bytes) -> None:
        ImageOps.contain(half, (1600, 1600), Image.Resampling.BOX)

    def encode(_: bytes) -> None:
        web.save(io.BytesIO(), "JPEG", quality=82)

    return {
        "decode at 1/2 scale (2000×1500, the least that covers 1600 px)": median_seconds(
            decoded_at_half_scale, data, runs
        ),
        "shrink 2000×1500 → 1600×1200 (box filter)": median_seconds(shrink, data, runs),
        "encode the web JPEG (baseline)": median_seconds(encode, data, runs),
    }


def naive_web(data: bytes) -> Image.Image:
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    return ImageOps.contain(image, (1600, 1600), Image.Resampling.LANCZOS)


def web_psnr(data: bytes) -> float:
    """How close the project's web JPEG is to the naive pipeline's web image (higher is closer)."""
    project = Image.open(io.BytesIO(process_photo(data).web.data)).convert("RGB")
    difference = ImageStat.Stat(ImageChops.difference(project, naive_web(data)))
    mean_square = sum(rms**2 for rms in difference.rms) / 3
    return 10 * math.log10(255**2 / mean_square)


def run_baseline(data: bytes) -> None:
    """Nothing: the memory of the interpreter, the imports and the sample bytes."""


CANDIDATES: dict[str, Callable[[bytes], None]] = {
    "project": run_project,
    "naive": run_naive,
    "floor": run_floor,
    "baseline": run_baseline,
}


def median_seconds(function: Callable[[bytes], None], data: bytes, runs: int) -> float:
    function(data)  # warm-up: plugin imports, caches
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function(data)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _make_sample_in_child(path: str) -> None:
    Path(path).write_bytes(make_sample())


def _peak_in_child(name: str, path: str, results: multiprocessing.Queue) -> None:
    data = Path(path).read_bytes()
    CANDIDATES[name](data)
    # Linux reports ru_maxrss in KiB.
    results.put(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def in_fresh_process(target: Callable, *args) -> None:
    process = multiprocessing.get_context("spawn").Process(target=target, args=args)
    process.start()
    process.join()
    if process.exitcode != 0:
        raise RuntimeError(f"{target.__name__} failed in its process")


def peak_mebibytes(name: str, path: str) -> float:
    """Peak resident memory of one run of `name`, in a freshly spawned interpreter."""
    results = multiprocessing.get_context("spawn").Queue()
    in_fresh_process(_peak_in_child, name, path, results)
    return results.get(timeout=5)


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per candidate")
    arguments = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as directory:
        path = str(Path(directory) / "sample.jpg")
        # Linux carries a parent's peak RSS into ru_maxrss across fork and exec, so this process
        # stays small: the 12 MP sample is drawn in a child, and each measurement has its own.
        started = time.perf_counter()
        in_fresh_process(_make_sample_in_child, path)
        generated_in = time.perf_counter() - started
        peaks = {name: peak_mebibytes(name, path) for name in CANDIDATES}
        data = Path(path).read_bytes()

    print(
        f"sample: {WIDTH}×{HEIGHT} JPEG, {len(data) / 1e6:.2f} MB, orientation 6 + GPS "
        f"(generated in {generated_in:.1f} s)"
    )
    result = process_photo(data)
    print(
        f"project output: web {result.web.width}×{result.web.height} "
        f"({len(result.web.data) / 1e3:.0f} kB), thumbnail "
        f"{result.thumbnail.width}×{result.thumbnail.height} "
        f"({len(result.thumbnail.data) / 1e3:.0f} kB), gps {result.gps}"
    )

    seconds = {
        name: median_seconds(CANDIDATES[name], data, arguments.runs)
        for name in ("project", "naive", "floor")
    }
    one_thread = median_seconds(run_project_one_thread, data, arguments.runs)

    print(f"\nmedian of {arguments.runs} runs; peak RSS of one run in a spawned process")
    print(f"{'':10}{'median':>10}{'peak RSS':>12}{'above baseline':>17}")
    for name in ("project", "naive", "floor", "baseline"):
        timing = f"{seconds[name] * 1000:8.1f}ms" if name in seconds else f"{'':10}"
        above = peaks[name] - peaks["baseline"]
        print(f"{name:10}{timing}{peaks[name]:9.1f}MiB{above:14.1f}MiB")
    print(f"  project on one thread: {one_thread * 1000:.1f}ms "
          f"({one_thread / seconds['floor']:.2f}× the floor)")

    print(f"\nweb image, project vs naive: PSNR {web_psnr(data):.1f} dB")
    print("\nwhere the project's time goes (stages timed alone):")
    for stage, stage_time in stage_seconds(data, arguments.runs).items():
        print(f"  {stage_time * 1000:6.1f}ms  {stage}")

    speedup = seconds["naive"] / seconds["project"]
    over_floor = seconds["project"] / seconds["floor"]
    memory_share = peaks["project"] / peaks["naive"]
    memory_share_above = (peaks["project"] - peaks["baseline"]) / (
        peaks["naive"] - peaks["baseline"]
    )
    print()
    print(
        f"naive ÷ project   = {speedup:.2f}×   goal ≥ {GOAL_SPEEDUP_OVER_NAIVE}×   "
        f"{verdict(speedup >= GOAL_SPEEDUP_OVER_NAIVE)}"
    )
    print(
        f"project ÷ floor   = {over_floor:.2f}×   goal ≤ {GOAL_WITHIN_FLOOR}×   "
        f"{verdict(over_floor <= GOAL_WITHIN_FLOOR)}"
    )
    print(
        f"project ÷ naive peak RSS = {memory_share:.2f} "
        f"(above baseline {memory_share_above:.2f})   goal ≤ {GOAL_MEMORY_SHARE_OF_NAIVE}   "
        f"{verdict(memory_share <= GOAL_MEMORY_SHARE_OF_NAIVE)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
