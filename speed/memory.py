"""Memory: a module the serving process never uses, kept out of it.

TensorFlow 2.12, which Rasa 3.6 imports whatever the pipeline, depends on JAX
and its TFLite helpers import it when it is installed: about 76 MB in every
Rasa process (bench/profile.md), for model conversions the bot never makes.
``scripts/rasa_run.py`` calls ``leave_out_unused_modules()`` before Rasa is
imported; ``import jax`` then raises ImportError, which TensorFlow expects
and handles. Training (`rasa train`) is left as it is.
"""
import sys
from typing import Any, Dict, Tuple

UNUSED_MODULES: Tuple[str, ...] = ("jax",)


def leave_out_unused_modules(modules: Dict[str, Any] = sys.modules) -> None:
    """Make ``import`` of each unused module fail, unless it is already imported."""
    for name in UNUSED_MODULES:
        modules.setdefault(name, None)
