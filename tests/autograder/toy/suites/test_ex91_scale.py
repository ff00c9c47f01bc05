"""Hidden suite of the toy exercise ex91 (plain Python values)."""

from autograder.checks import expect_close, points
from autograder.sandbox import Limits

EXERCISE = "ex91_scale"
IMPORT_TORCH = False
LIMITS = Limits(call_seconds=3.0, start_seconds=20.0, exercise_seconds=30.0, cpu_seconds=20,
                memory_bytes=1024**3, processes=16)


@points(1)
def test_scale(submission, reference):
    values = [1.5, -2.0, 0.25]
    expect_close(submission.call("scale", values, 3.0), reference.call("scale", values, 3.0), rtol=1e-12, atol=0,
                 name="scale(values, 3)")
