"""Scenario inputs: what a run is made of, read and checked before anything runs.

The schema, YAML files with ``extends:``, loading, the waiting-list CSV, distributions,
random streams, and the applicant tables drawn from them.
"""
