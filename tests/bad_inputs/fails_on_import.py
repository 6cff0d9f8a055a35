"""A policy module that fails while it is imported, for the tests."""

raise RuntimeError("this module is broken on purpose")
