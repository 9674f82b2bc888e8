"""Rasa's CountVectorsFeaturizer, computing at prediction only what the classifier reads.

For each message Rasa's featurizer counts words (or character n-grams) twice:
once per token (sequence features, for models that read a message token by
token, such as DIET) and once for the whole sentence. This bot's classifier,
logistic regression, reads only the sentence features, and no other step
reads features at all. So at prediction this featurizer computes the sentence
features alone, exactly as Rasa does. Training is Rasa's own.
"""
from typing import List

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
        counts = vectorizer.transform([" ".join(tokens)])
        counts.sort_indices()
        return counts.tocoo()
