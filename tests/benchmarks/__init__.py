"""Benchmarks of speed and memory: ``python -m tests.benchmarks`` (or ``make bench``).

Not part of the test suite (no ``test_`` files here); they print figures, never assert timings.
"""
