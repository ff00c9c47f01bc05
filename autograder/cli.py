"""``autograder``: grade submissions in a sandbox, check one's own work, build the student release.

Verbs::

    autograder grade SUBMISSION...         one submission (folder, .zip or .py files): table, JSON, HTML
    autograder grade-all DIR -j N          a class: gradebook CSV, Gradescope JSON, HTML pages, summary
    autograder gradescope OUT.zip          the autograder.zip to upload to Gradescope (autograder.gradescope)
    autograder check [EXERCISE...]         a student runs the public tests on their own files
    autograder release OUT                 the student bundle (no solutions, no hidden suites)
    autograder stubs                       regenerate assignments/ from solutions/ (autograder.stubgen)
    autograder nbgrader ...                the nbgrader course workflow (autograder.nbgrader.cli)

Imports are lazy, so the student bundle (which ships only ``check``) runs without the grader.
A user's mistake (a missing folder, an unknown exercise, a bad ``-j``, an unwritable output)
is a ``rnnlm.errors.UsageError``: one line on stderr, exit status 2, no traceback (unless
``RNNLM_DEBUG=1``); any other exception is an internal error and keeps its traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rnnlm.errors import UsageError, run_cli


def _grading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--suites", type=Path, default=None, help="folder of hidden suites (default: autograder/hidden)")
    parser.add_argument("--solutions", type=Path, default=None, help="folder of reference solutions (default: solutions/)")
    parser.add_argument("--exercises", default=None, help="comma-separated exercises to grade (default: all)")
    isolation = parser.add_mutually_exclusive_group()
    isolation.add_argument("--require-sandbox", action="store_true", help="fail if bubblewrap is missing")
    isolation.add_argument("--no-sandbox", action="store_true",
                           help="UNSAFE: run student code in a plain subprocess (it can then read the solutions)")


def _parser() -> argparse.ArgumentParser:
    from autograder.results import VISIBILITIES

    parser = argparse.ArgumentParser(
        prog="autograder", description="Grade submissions in a sandbox, check your own work, build the student release."
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    grade = verbs.add_parser("grade", help="grade one submission and print the score table")
    grade.add_argument("submission", nargs="+", type=Path, help="a folder, a .zip, or exercise .py files")
    grade.add_argument("--json", type=Path, default=None, help="per-test results (default: ./<name>.results.json)")
    grade.add_argument("--gradescope", type=Path, default=None, help="also write Gradescope's results.json here")
    grade.add_argument("--html", type=Path, default=None, help="the HTML report (default: ./<name>.report.html)")
    grade.add_argument("--name", default=None, help="the submission's name in reports (default: from the path)")
    grade.add_argument("-j", "--jobs", type=int, default=2, help="exercises graded in parallel")
    grade.add_argument("--quiet", action="store_true", help="print nothing (results go to --json)")
    grade.add_argument("--fingerprint", default=None, help=argparse.SUPPRESS)
    _grading_options(grade)

    batch = verbs.add_parser("grade-all", help="grade a folder of submissions (one folder or .zip per student)")
    batch.add_argument("submissions", type=Path, help="folder with one sub-folder or .zip per student")
    batch.add_argument("-o", "--out", type=Path, default=Path("grades"), help="output folder (default: ./grades)")
    batch.add_argument("-j", "--jobs", type=int, default=2, help="students graded in parallel")
    batch.add_argument("--force", action="store_true", help="regrade students that already have a result")
    batch.add_argument("--timeout", type=float, default=1800.0, help="seconds allowed per student")
    _grading_options(batch)

    check = verbs.add_parser("check", help="run the public tests on your own exercise files")
    check.add_argument("exercises", nargs="*", help="exercises to check, e.g. ex04 (default: all)")
    check.add_argument("--dir", type=Path, default=Path("assignments"), help="folder with your exNN_*.py files and tests/")
    check.add_argument("--html", type=Path, default=None, help="also write an HTML report of the results here")

    package = verbs.add_parser("gradescope", help="build the autograder.zip to upload to Gradescope")
    package.add_argument("out", type=Path, help="the zip to write (e.g. autograder.zip)")
    package.add_argument("--exercises", default=None, help="comma-separated exercises to grade (default: all)")
    package.add_argument("--suites", type=Path, default=None, help="folder of hidden suites (default: autograder/hidden)")
    package.add_argument("--solutions", type=Path, default=None, help="folder of reference solutions (default: solutions/)")
    package.add_argument("--visibility", default="after_published",
                         choices=VISIBILITIES,
                         help="when students see each check's feedback (default: after_published)")
    package.add_argument("--require-sandbox", action="store_true",
                         help="give no grade (score 0 and the reason) where the sandbox cannot start")

    release = verbs.add_parser("release", help="build the student bundle (no solutions, no hidden suites)")
    release.add_argument("out", type=Path, help="output folder (must not exist, or be empty)")
    release.add_argument("--zip", action="store_true", help="also write OUT.zip")

    verbs.add_parser("stubs", help="regenerate the student stubs from solutions/ (python -m autograder.stubgen)",
                     add_help=False)
    verbs.add_parser("nbgrader", help="nbgrader course workflow (autograder nbgrader --help)", add_help=False)
    return parser


def _sandbox(args):
    from autograder.sandbox import Sandbox

    try:
        return Sandbox(use_bwrap=False if args.no_sandbox else (True if args.require_sandbox else None))
    except RuntimeError as error:  # bubblewrap missing or unusable with --require-sandbox: the user decides
        raise UsageError(str(error)) from None


def _forwarded_options(args) -> list[str]:
    options = []
    for name in ("suites", "solutions", "exercises"):
        if getattr(args, name):
            options += [f"--{name}", str(getattr(args, name))]
    if args.no_sandbox:
        options.append("--no-sandbox")
    if args.require_sandbox:
        options.append("--require-sandbox")
    return options + ["--jobs", "1"]


def exercise_list(text: str | None) -> list[str] | None:
    """``"ex04_lstm_cell, ex06_gru_cell"`` -> the names; None for all."""
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise UsageError("--exercises is empty; give comma-separated names such as ex04_lstm_cell,ex06_gru_cell")
    return names


def _grade(args) -> int:
    from autograder import html_report, report, runner
    from autograder.submission import load_submission
    from rnnlm.atomic import write_text_atomic

    if args.jobs < 1:
        raise UsageError(f"-j/--jobs must be at least 1, got {args.jobs}")
    suites = runner.load_suites(args.suites or runner.DEFAULT_SUITES, exercise_list(args.exercises))
    submission = load_submission(args.submission, args.name)
    try:
        if not submission.files and not submission.problems:
            raise UsageError(f"no exercise files (exNN_<topic>.py) in {', '.join(map(str, args.submission))}; "
                             "submit the exercise files, a folder or a .zip holding them")
        json_path = args.json or Path(f"{submission.name}.results.json")
        html_path = args.html or Path(f"{submission.name}.report.html")
        for path in (json_path, html_path, args.gradescope):
            if path is not None:
                report.ensure_writable(path)  # before grading, so no work is lost to a typo
        result = runner.grade(submission, suites, sandbox=_sandbox(args), jobs=args.jobs,
                              solutions_dir=args.solutions or runner.DEFAULT_SOLUTIONS)
    finally:
        submission.cleanup()
    result.fingerprint = args.fingerprint
    write_text_atomic(json_path, report.dumps(result.to_json()))
    write_text_atomic(html_path, html_report.student_page(result))
    if args.gradescope:
        write_text_atomic(args.gradescope, report.dumps(report.gradescope(result)))
    if not args.quiet:
        print(report.score_table(result, f"{submission.name} (graded in {result.sandbox}, {result.seconds:.1f} s)"))
        for warning in result.warnings:
            print(f"warning: {warning}")
        print(f"per-test results: {json_path}; HTML report: {html_path}")
    return 0


def _grade_all(args) -> int:
    from autograder import batch, runner

    runner.load_suites(args.suites or runner.DEFAULT_SUITES, exercise_list(args.exercises))  # a typo fails here, once
    overview = batch.grade_all(args.submissions, args.out, jobs=args.jobs, force=args.force,
                               options=_forwarded_options(args), timeout=args.timeout)
    print(f"gradebook: {args.out / 'gradebook.csv'}; Gradescope files: {args.out / 'gradescope'}; "
          f"HTML: {args.out / 'html'}, {args.out / 'summary.html'}; summary: {args.out / 'summary.json'}")
    print(json.dumps({k: overview[k] for k in ("students", "graded", "failed", "mean_score", "max_score")}))
    return 1 if overview["failed"] else 0


def _run(args) -> int:
    if args.verb == "grade":
        return _grade(args)
    if args.verb == "grade-all":
        return _grade_all(args)
    if args.verb == "gradescope":
        from autograder.gradescope import build_package

        build_package(args.out, exercise_list(args.exercises), suites_dir=args.suites, solutions_dir=args.solutions,
                      visibility=args.visibility, require_sandbox=args.require_sandbox)
        return 0
    if args.verb == "check":
        from autograder.check import check

        return check(args.dir, args.exercises, html=args.html)
    if args.verb == "release":
        from autograder.release import build_release

        build_release(args.out, make_zip=args.zip)
        return 0
    raise AssertionError(f"unhandled verb {args.verb}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``autograder`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "nbgrader":
        from autograder.nbgrader.cli import main as nbgrader_main

        return nbgrader_main(argv[1:]) or 0
    if argv and argv[0] == "stubs":
        from autograder.stubgen import main as stubs_main

        return stubs_main(argv[1:]) or 0
    args = _parser().parse_args(argv)
    return run_cli(lambda: _run(args), f"autograder {args.verb}")


if __name__ == "__main__":
    sys.exit(main())
