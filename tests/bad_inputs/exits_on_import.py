"""A policy module that calls sys.exit while it is imported, for the tests."""

import sys

sys.exit("leaving")
