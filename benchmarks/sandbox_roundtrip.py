"""Sandbox round trip: seconds to start a sandbox and import one exercise, milliseconds per call.

    python benchmarks/sandbox_roundtrip.py                 # this checkout
    python benchmarks/sandbox_roundtrip.py --calls 500

Grades nothing: it starts the bubblewrap sandbox of the NumPy-only toy exercise ex91_scale
(tests/autograder/toy), then calls ``scale`` through ``SandboxedSubmission``, the path every
hidden check takes. Run it from two checkouts in alternating fresh processes (with ``PYTHONPATH``
set to each) to compare them; the results of the autograder split are in
benchmarks/results/sandbox_roundtrip.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.oracle import SandboxedSubmission  # noqa: E402
from autograder.sandbox import Limits, Sandbox  # noqa: E402


def main() -> None:
    """Print ``START_SECONDS CALL_MILLISECONDS`` for one fresh sandbox."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200, help="calls timed after the first")
    args = parser.parse_args()
    exercise = ROOT / "tests" / "autograder" / "toy" / "solutions" / "ex91_scale.py"
    proxy = SandboxedSubmission(exercise, "ex91_scale", sandbox=Sandbox(use_bwrap=True), limits=Limits(),
                                import_torch=False)
    try:
        started = time.perf_counter()
        assert proxy.call("scale", [1.0, 2.0], 2) == [2.0, 4.0]  # starts the sandbox and imports the file
        first = time.perf_counter()
        for _ in range(args.calls):
            proxy.call("scale", [1.0, 2.0], 2)
        done = time.perf_counter()
    finally:
        proxy.close()
    print(f"{first - started:.4f} {(done - first) / args.calls * 1000:.4f}")


if __name__ == "__main__":
    main()
