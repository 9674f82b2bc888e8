"""Per-message CPU and memory savings, each measured in bench/ (bench/profile.md).

- ``speed.classifier``: Rasa's intent classifier with its weights laid out
  for one-row predictions.
- ``speed.policy``: Rasa's rule policy, remembering which rules match the
  latest states.
- ``speed.runtime``: changes to Rasa 3.6's message path, installed by
  ``scripts/rasa_run.py`` (never at import time): graphs run in a plain loop
  instead of through dask, action-server answers are checked against a schema
  compiled once, and debug lines get no deep copies.
- ``speed.memory``: JAX, which TensorFlow would import, kept out of the process.
"""
