"""Hidden suites: one pytest module per exercise, never shipped to students (see docs/grading.md)."""
