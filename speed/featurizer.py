"""Rasa's CountVectorsFeaturizer, computing at prediction only what the classifier reads.

For each message Rasa's featurizer counts words (or character n-grams) twice:
once per token (sequence features, for models that read a message token by
token, such as DIET) and once for the whole sentence. This bot's classifier,
logistic regression, reads only the sentence features, and no other step
reads features at all. So at prediction this featurizer computes the sentence
features alone, exactly as Rasa does. Training is Rasa's own.

The sentence's counts are those of scikit-learn's ``CountVectorizer.transform``
(the same analyzer and vocabulary), counted into a dictionary: for one short
sentence, building the matrices ``transform`` builds costs more than counting.
"""
from typing import Any, Callable, Dict, List

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True
)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    """``CountVectorsFeaturizer`` that adds only sentence features at prediction."""

    def process(self, messages: List[Message]) -> List[Message]:
        """Add each message's sentence features, as Rasa computes them."""
        if self.vectorizers is None:
            return super().process(messages)
        for message in messages:
            for attribute in self._attributes:
                tokens = self._get_processed_message_tokens_by_attribute(message, attribute)
                sentence = self.sentence_features(attribute, tokens)
                if sentence is not None:
                    self.add_features_to_message(None, sentence, attribute, message)
        return messages

    def sentence_features(self, attribute: str, tokens: List[str]) -> scipy.sparse.spmatrix | None:
        """The counts of the whole sentence (Rasa's ``_create_features``, sentence half)."""
        vectorizer = (self.vectorizers or {}).get(attribute)
        if vectorizer is None or not tokens or attribute not in DENSE_FEATURIZABLE_ATTRIBUTES:
            return None
        analyze = self._analyzer(attribute, vectorizer)
        vocabulary: Dict[str, int] = vectorizer.vocabulary_
        counts: Dict[int, int] = {}
        for feature in analyze(" ".join(tokens)):
            index = vocabulary.get(feature)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        columns = np.array(sorted(counts), dtype=np.int32)
        values = np.ones(len(columns), dtype=vectorizer.dtype) if vectorizer.binary else \
            np.array([counts[c] for c in columns.tolist()], dtype=vectorizer.dtype)
        return scipy.sparse.coo_matrix(
            (values, (np.zeros(len(columns), dtype=np.int32), columns)),
            shape=(1, len(vocabulary)))

    def _analyzer(self, attribute: str, vectorizer: Any) -> Callable[[str], List[str]]:
        """The vectorizer's own analyzer (preprocessing, tokens, n-grams), built once."""
        cache = self.__dict__.setdefault("_analyzers", {})
        if cache.get(attribute, (None,))[0] is not vectorizer:
            cache[attribute] = (vectorizer, vectorizer.build_analyzer())
        return cache[attribute][1]
