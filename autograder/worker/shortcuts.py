"""Shortcut blocking: the library functions an exercise forbids, and the packages no submission may import.

Inside the worker each forbidden dotted name (``torch.nn.LSTM`` in ex04, say) is replaced by a
stub raising ``ForbiddenShortcut`` before the student's module is imported, and an import hook
refuses ``rnnlm``, ``autograder`` and ``solutions``. This is a deterrent in the student's own
process, not a proof (docs/grading.md, "Shortcuts"). The in-process proxy (nbgrader) blocks the
same names around each call and restores them after.
"""

from __future__ import annotations

import importlib
import importlib.abc
import sys


class ForbiddenShortcut(RuntimeError):
    """Raised inside the worker when student code touches something the exercise forbids."""


class _BlockedImports(importlib.abc.MetaPathFinder):
    """Refuse to import the packages a submission must not use (rnnlm, autograder, solutions)."""

    def __init__(self, names: list[str], exercise: str):
        self.names, self.exercise = set(names), exercise

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in self.names:
            raise ForbiddenShortcut(
                f"importing {fullname!r} is not allowed in {self.exercise}: "
                "submissions must be written with torch, numpy, math and the standard library only"
            )
        return None


def block_shortcuts(forbidden: list[str], blocked_modules: list[str], exercise: str) -> list:
    """Replace each dotted name in ``forbidden`` by a stub raising ``ForbiddenShortcut``.

    Returns what ``restore_shortcuts`` needs to undo it (the in-process proxy restores after
    each call; the sandboxed worker never does).
    """
    undo: list = []
    if blocked_modules:
        finder = _BlockedImports(blocked_modules, exercise)
        sys.meta_path.insert(0, finder)
        undo.append((None, finder, None))
    for dotted in forbidden:
        owner_name, _, attribute = dotted.rpartition(".")
        owner = sys.modules.get(owner_name)
        if owner is None:
            try:
                owner = importlib.import_module(owner_name)
            except ImportError:
                continue
        if not hasattr(owner, attribute):
            continue

        def refuse(*args, _name=dotted, **kwargs):
            raise ForbiddenShortcut(f"{_name} is not allowed in {exercise}: implement it from the equations")

        original = getattr(owner, attribute)
        try:
            setattr(owner, attribute, refuse)
        except (AttributeError, TypeError):
            continue
        undo.append((owner, attribute, original))
    return undo


def restore_shortcuts(undo: list) -> None:
    """Undo ``block_shortcuts``."""
    for owner, attribute, original in reversed(undo):
        if owner is None:
            if attribute in sys.meta_path:
                sys.meta_path.remove(attribute)
        else:
            setattr(owner, attribute, original)
