"""``autograder nbgrader``: build an nbgrader course, and hand its submissions to the sandbox.

Verbs:

* ``init COURSE_DIR [--assignment NAME] [--exercises ex01,ex04,...]``: write
  ``nbgrader_config.py`` and ``source/<assignment>/exNN_<topic>.ipynb``; then nbgrader's own
  ``generate_assignment`` / ``autograde`` / ``generate_feedback`` / ``export`` run unchanged.
* ``export-submissions COURSE_DIR ASSIGNMENT OUT``: turn
  ``submitted/<student>/<assignment>/*.ipynb`` into ``OUT/<student>/exNN_<topic>.py`` for
  ``autograder grade-all OUT`` (student code in the sandbox, not with the grader's rights).

Run as ``autograder nbgrader VERB ...`` or ``python -m autograder.nbgrader.cli VERB ...``.
See docs/nbgrader.md for the whole instructor workflow.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_ASSIGNMENT = "chapter5"


def _exercise_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("--exercises needs at least one id, e.g. ex01,ex04")
    return names


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``autograder nbgrader``."""
    parser = argparse.ArgumentParser(
        prog="autograder nbgrader",
        description="Build an nbgrader course from the rnnlm exercises, and hand its submissions to the sandboxed grader (docs/nbgrader.md).",
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    init = verbs.add_parser("init", help="create an nbgrader course folder from solutions/ and the hidden suites")
    init.add_argument("course_dir", type=Path, metavar="COURSE_DIR", help="the course folder to create or update")
    init.add_argument("--assignment", default=DEFAULT_ASSIGNMENT, help=f"assignment name, the folder under source/ (default: {DEFAULT_ASSIGNMENT})")
    init.add_argument("--exercises", type=_exercise_list, default=None, help="comma-separated exercise ids, e.g. ex01,ex04 (default: all)")
    init.add_argument("--course-id", default="rnnlm", help="nbgrader course id (default: rnnlm)")
    init.add_argument("--timeout", type=int, default=120, help="seconds each answer or check cell may run during autograde before it is interrupted and scores 0 (default: 120)")
    init.add_argument("--startup-timeout", type=int, default=300, help="seconds allowed to each read-only set-up cell (imports, loading the hidden checks) during autograde (default: 300)")
    init.add_argument("--kernel-name", default="python3", help="Jupyter kernel that runs the notebooks during autograde (default: python3)")
    init.add_argument("--solutions", type=Path, default=None, help="folder of the reference solutions exNN_<topic>.py (default: the repository's solutions/)")
    init.add_argument("--suites", type=Path, default=None, help="folder of the hidden suites test_exNN_<topic>.py (default: autograder/hidden)")
    init.add_argument("--force", action="store_true", help="overwrite an existing nbgrader_config.py and source notebooks")

    export = verbs.add_parser("export-submissions", help="write submitted notebooks as OUT/<student>/exNN_<topic>.py for `autograder grade-all OUT`")
    export.add_argument("course_dir", type=Path, metavar="COURSE_DIR", help="the nbgrader course folder (holding submitted/)")
    export.add_argument("assignment", metavar="ASSIGNMENT", help="assignment name, as in submitted/<student>/ASSIGNMENT/")
    export.add_argument("out_dir", type=Path, metavar="OUT", help="folder to write one sub-folder per student into")
    return parser


def _run_init(args: argparse.Namespace) -> int:
    from autograder.nbgrader.checks import hidden_checks
    from autograder.nbgrader.course import init_course

    layout = init_course(
        args.course_dir,
        args.assignment,
        hidden_checks,
        exercises=args.exercises,
        solutions_dir=args.solutions,
        suites_dir=args.suites,
        course_id=args.course_id,
        timeout=args.timeout,
        startup_timeout=args.startup_timeout,
        kernel_name=args.kernel_name,
        force=args.force,
    )
    print(f"wrote {layout.config}")
    for path in layout.notebooks:
        print(f"wrote {path}")
    print(f"{len(layout.notebooks)} notebook(s), {layout.total_points:g} points of autograded checks.")
    print("Next, from the course folder (docs/nbgrader.md explains each step):")
    print(f"  cd {layout.root}")
    print(f"  nbgrader generate_assignment {args.assignment}")
    print(f"  # students' notebooks go to submitted/<student>/{args.assignment}/")
    print(f"  nbgrader autograde {args.assignment}")
    print(f"  nbgrader generate_feedback {args.assignment}")
    print("  nbgrader export --to grades.csv")
    return 0


def _run_export(args: argparse.Namespace) -> int:
    from autograder.nbgrader.export import export_submissions

    report = export_submissions(args.course_dir, args.assignment, args.out_dir)
    for student, paths in report.written.items():
        print(f"{student}: {len(paths)} file(s)" + (f" ({', '.join(path.name for path in paths)})" if paths else ""))
    for problem in report.problems:
        print(f"warning: {problem}", file=sys.stderr)
    print(f"Grade them in the sandbox with: autograder grade-all {args.out_dir}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (2 with one line on stderr for a bad input)."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    runner = _run_init if args.verb == "init" else _run_export
    try:
        return runner(args)
    except (ValueError, OSError, ImportError) as error:  # bad input, files, a missing hidden suite
        print(f"autograder nbgrader {args.verb}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
