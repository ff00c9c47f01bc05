"""rnnlm's autograder: hidden suites graded in a bubblewrap sandbox through a data-only oracle.

Parts (each module's docstring says more; docs/grading.md is the instructor's guide):

- ``checks``: what hidden suites are written with (``@points``, ``inputs``, ``expect_close``).
- ``oracle``: the submission proxies a suite calls (``SandboxedSubmission``, ``InProcessSubmission``).
- ``worker``: the only code that runs beside student code (wire format, call execution).
- ``sandbox``: bubblewrap, resource limits, cgroups.
- ``submission``, ``runner``, ``report``, ``batch``: reading, grading, reporting, whole classes.
- ``check``, ``release``: the student's ``autograder check`` and the student bundle.

Nothing is imported here, so the student bundle (which ships only part of the package) works.
"""

__version__ = "0.1.0"
