"""Helpers shared by the project's tests: import them from here, never from a conftest."""
