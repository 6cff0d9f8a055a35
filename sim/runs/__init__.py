"""Running replications and gathering their results.

One replication, the runner (local processes or Dask), records, key figures, incidence and
its interval across replications, summary statistics and atomic output folders.
"""
