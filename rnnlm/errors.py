"""User mistakes and how the command-line tools report them.

A ``UsageError`` is a mistake the user can fix (a wrong path, a bad option, a file that is not
what it claims to be). Library code raises it with one message that says what is wrong and
what to do; the ``rnnlm`` and ``autograder`` entry points print that message on one line (or a
short block), with no traceback, and exit with status 2. Anything else is an internal error
and keeps its traceback. ``RNNLM_DEBUG=1`` shows the traceback of a usage error too.

``UsageError`` subclasses ``ValueError`` so that library callers who already catch
``ValueError`` for bad arguments keep working.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

USAGE_EXIT_STATUS = 2
DEBUG_VARIABLE = "RNNLM_DEBUG"


class UsageError(ValueError):
    """A mistake in the user's input: the message names the problem and the fix."""


def debug_enabled() -> bool:
    """Whether the user asked for tracebacks of usage errors (``RNNLM_DEBUG=1``)."""
    return os.environ.get(DEBUG_VARIABLE, "").strip().lower() not in ("", "0", "false", "no")


def report_usage_error(error: BaseException, prog: str) -> int:
    """Print ``error`` as ``prog: error: message`` on stderr and return the exit status 2."""
    message = str(error).strip() or type(error).__name__
    print(f"{prog}: error: {message}", file=sys.stderr)
    return USAGE_EXIT_STATUS


def run_cli(main: Callable[[], int | None], prog: str) -> int:
    """Call ``main()``; turn a ``UsageError`` into one line on stderr and exit status 2.

    With ``RNNLM_DEBUG=1`` the usage error propagates with its traceback. Every other
    exception propagates unchanged: an internal error keeps its traceback.
    """
    try:
        return int(main() or 0)
    except UsageError as error:
        if debug_enabled():
            raise
        return report_usage_error(error, prog)
