"""Toy exercise for the autograder's own tests: scale a vector."""

__all__ = ["scale"]


def scale(values: list, factor: float) -> list:
    """Each value times ``factor``, as a new list."""
    return [value * factor for value in values]
