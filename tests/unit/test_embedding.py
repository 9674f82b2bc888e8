"""embedding/: the bundled multilingual model, its bounded cost, and the Rasa featurizer."""
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from embedding.encoder import DIMENSIONS, Encoder, normalise
from embedding.featurizer import SentenceEmbeddingFeaturizer


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder(threads=1, max_chars=300, cache_size=4)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_normalise_collapses_whitespace_and_bounds_the_length() -> None:
    assert normalise("  does   massage\n help ", 300) == "does massage help"
    assert normalise("x" * 10_000, 300) == "x" * 300


def test_the_same_question_in_three_languages_lands_closer_than_another_question(
        encoder: Encoder) -> None:
    en, vi, ko, other, other_vi = encoder.encode([
        "does foot massage help me sleep better",
        "massage chân có giúp ngủ ngon hơn không",
        "발 마사지가 잠을 잘 자는 데 도움이 되나요",
        "where is the spa located",
        "spa ở đâu",
    ])
    for translation in (vi, ko):
        assert cosine(en, translation) > cosine(en, other) + 0.05
    assert cosine(vi, en) > cosine(vi, other_vi)
    assert en.shape == (DIMENSIONS,)
    assert abs(np.linalg.norm(en) - 1.0) < 1e-3


def test_vietnamese_without_diacritics_is_nearest_its_accented_form(encoder: Encoder) -> None:
    # the model reads unaccented Vietnamese weakly (bench/embedding.md): the word
    # and character counts beside it carry that case
    plain, accented, en, other = encoder.encode([
        "massage chan co giup ngu ngon hon khong",
        "massage chân có giúp ngủ ngon hơn không",
        "does foot massage help me sleep better",
        "spa ở đâu",
    ])
    assert cosine(plain, accented) > max(cosine(plain, en), cosine(plain, other))


def test_known_texts_and_cached_texts_are_not_embedded_again() -> None:
    marker = np.full(DIMENSIONS, 0.5, dtype=np.float32)
    encoder = Encoder(cache_size=2, known={"hello there": marker})
    assert np.array_equal(encoder.encode(["  hello   there "])[0], marker)
    assert encoder._model is None  # the engine was never opened for a known text
    first = encoder.encode(["is massage good for stress"])[0]
    encoder._cache["is massage good for stress"] = marker  # what the cache holds is returned
    assert np.array_equal(encoder.encode(["is massage good for stress"])[0], marker)
    assert not np.array_equal(first, marker)


def test_the_run_time_cache_is_bounded_least_recently_used_first() -> None:
    encoder = Encoder(cache_size=2)
    encoder.encode(["one question"])
    encoder.encode(["two questions"])
    encoder.encode(["one question"])  # used again: now the most recent
    encoder.encode(["three questions"])
    assert list(encoder._cache) == ["one question", "three questions"]


def test_training_texts_do_not_fill_the_run_time_cache() -> None:
    encoder = Encoder(cache_size=8)
    encoder.encode(["a training example"], remember=False)
    assert len(encoder._cache) == 0


def test_a_batch_with_repeats_and_empty_texts_keeps_its_order(encoder: Encoder) -> None:
    rows = encoder.encode(["massage for stress", "", "massage for stress", "sleep"])
    assert np.array_equal(rows[0], rows[2])
    assert not rows[1].any()
    assert not np.array_equal(rows[0], rows[3])


def featurizer(tmp_path: Path, **config: Any) -> SentenceEmbeddingFeaturizer:
    full = {**SentenceEmbeddingFeaturizer.get_default_config(), **config}
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(node_name="embed", graph_schema=None)  # type: ignore[arg-type]
    return SentenceEmbeddingFeaturizer.create(full, storage, Resource("embed"), context)


def sentence_row(message: Message) -> np.ndarray:
    _, sentence = message.get_dense_features(TEXT)
    assert sentence is not None
    return np.asarray(sentence.features)


def test_trained_featurizer_stores_its_vectors_and_loads_them_back(tmp_path: Path) -> None:
    texts = ["does massage help with sleep", "massage chan co tot khong", "발마사지 효과"]
    component = featurizer(tmp_path)
    data = TrainingData([Message(data={TEXT: t, "intent": "x"}) for t in texts])
    component.train(data)
    component.process_training_data(data)
    trained_rows = [sentence_row(m) for m in data.training_examples]

    storage = component._model_storage
    config = {**SentenceEmbeddingFeaturizer.get_default_config()}
    context = ExecutionContext(node_name="embed", graph_schema=None)  # type: ignore[arg-type]
    loaded = SentenceEmbeddingFeaturizer.load(config, storage, Resource("embed"), context)
    assert set(loaded.encoder.known) == set(texts)
    messages = [Message(data={TEXT: t}) for t in texts]
    loaded.process(messages)
    assert loaded.encoder._model is None  # known texts: nothing embedded at run time
    for message, row in zip(messages, trained_rows, strict=True):
        assert np.allclose(sentence_row(message), row)
    # centred on the training mean, then unit length times the scale
    assert np.allclose(np.linalg.norm(trained_rows[0]), 1.0, atol=1e-4)


def test_scale_multiplies_the_row_and_payloads_get_zeros(tmp_path: Path) -> None:
    component = featurizer(tmp_path, scale=3, center=False)
    messages = [Message(data={TEXT: "is massage good for circulation"}),
                Message(data={TEXT: '/greet{"language": "vi"}'}), Message(data={TEXT: ""})]
    component.process(messages)
    assert np.allclose(np.linalg.norm(sentence_row(messages[0])), 3.0, atol=1e-3)
    assert not sentence_row(messages[1]).any()
    assert not sentence_row(messages[2]).any()


def test_a_configuration_without_threads_is_refused() -> None:
    with pytest.raises(ValueError, match="threads"):
        SentenceEmbeddingFeaturizer.validate_config({"threads": 0, "max_chars": 10})
