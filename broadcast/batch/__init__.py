"""Batch builds: many articles, each built by build_episode in a worker, the feed written once.

inputs.py expands the command line into articles, job.py is what a worker runs for one article,
local.py and cluster.py run jobs in local processes or on a Dask cluster, run.py drives either
one (deduplication, --fail-fast, interruption, the final feed); broadcast/cli_batch.py, part of the
command line, shows it.
"""
