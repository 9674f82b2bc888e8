"""Per-message CPU savings, each measured in bench/ (bench/profile.md).

- ``speed.classifier``: the intent classifier with its weights laid out for
  one-row predictions.
- ``speed.runtime``: two changes to Rasa 3.6's message path, installed by
  ``scripts/rasa_run.py`` (never at import time): graphs run in a plain loop
  instead of through dask, and action-server answers are checked against a
  schema compiled once.
"""
