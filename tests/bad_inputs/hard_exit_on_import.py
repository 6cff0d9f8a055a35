"""A policy module that calls os._exit while it is imported, for the tests."""

import os

os._exit(3)  # not 0: were it obeyed, the test process would end with a failure
