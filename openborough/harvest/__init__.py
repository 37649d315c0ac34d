"""Harvesting: move a whole portal (Socrata, CKAN or a DCAT feed) onto openborough.

``run_harvest(url)`` lists the source's datasets, decides for each whether it
is new, changed or unchanged since the last run (``HarvestRecord``), and
publishes each through ``catalog.publishing`` (one atomic version per
dataset). A dataset that fails is reported with its reason; the rest go on.
"""
