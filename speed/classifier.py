"""Rasa's logistic-regression intent classifier, with one-row predictions made cheap.

scikit-learn predicts with ``X @ coef_.T``. ``coef_`` is stored row-major
(intents × features), so its transpose is column-major, and SciPy copies the
whole weight matrix into row-major order on every sparse product: about a
millisecond and ten megabytes per message for this model. Keeping ``coef_``
column-major makes the transpose row-major, so nothing is copied. The feature
row is also built without the deep copies Rasa makes to combine features. The
numbers and so the predictions are exactly the same (tests/unit/test_speed.py).
"""
from typing import Any, Dict, List

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, hstack, vstack


def lay_out_for_prediction(classifier: Any) -> None:
    """Store a fitted linear model's weights column-major (values unchanged)."""
    coef = getattr(classifier, "coef_", None)
    if coef is not None and not coef.flags.f_contiguous:
        classifier.coef_ = np.asfortranarray(coef)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class FastLogisticRegressionClassifier(LogisticRegressionClassifier):
    """``LogisticRegressionClassifier`` that predicts without copying its weights.

    It also takes scikit-learn's inverse regularisation strength ``C``, which
    Rasa's class leaves at scikit-learn's default of 1.0 (bench/nlu_choice.md
    measures the choice).
    """

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Rasa's defaults, and ``C`` at scikit-learn's (and so Rasa's) 1.0."""
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0}

    def __init__(self, config: Dict[str, Any], name: str, model_storage: ModelStorage,
                 resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]))

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "FastLogisticRegressionClassifier":
        """Load the trained classifier and lay its weights out for prediction."""
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        lay_out_for_prediction(component.clf)
        return component  # type: ignore[return-value]

    def _create_X(self, messages: List[Message]) -> csr_matrix:  # noqa: N802 (Rasa's name)
        """One feature row per message: its sentence features side by side.

        As Rasa's ``get_sparse_features`` and ``get_dense_features`` combine
        them (in the message's order), without their deep copies. Sparse rows
        alone (this bot's featurizers) are laid side by side in one CSR matrix
        directly: SciPy's ``hstack``/``vstack`` cost more than the prediction.
        """
        rows = [[f for f in message.features
                 if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
                for message in messages]
        if rows and all(row and all(f.is_sparse() for f in row) for row in rows):
            return side_by_side([[f.features for f in row] for row in rows])
        stacked = []
        for sentence in rows:
            sparse = [f.features for f in sentence if f.is_sparse()]
            dense = [f.features for f in sentence if f.is_dense()]
            parts = [hstack(sparse) if sparse else csr_matrix([])]
            if dense:
                parts.append(csr_matrix(np.hstack(dense)))
            stacked.append(hstack(parts) if len(parts) > 1 else parts[0])
        return vstack(stacked).tocsr()


def side_by_side(rows: List[List[Any]]) -> csr_matrix:
    """``vstack([hstack(row) for row in rows]).tocsr()`` for rows of one-row sparse matrices."""
    widths = [m.shape[1] for m in rows[0]]
    if any([m.shape for m in row] != [(1, w) for w in widths] for row in rows):
        return vstack([hstack(row) for row in rows]).tocsr()
    offsets = np.cumsum([0] + widths[:-1])
    data, columns, indptr = [], [], [0]
    for row in rows:
        for matrix, offset in zip(row, offsets, strict=True):
            coo = matrix.tocoo()
            data.append(coo.data)
            columns.append(coo.col.astype(np.int64) + offset)
        indptr.append(indptr[-1] + sum(m.nnz for m in row))
    dtype = np.result_type(*(m.dtype for row in rows for m in row))
    indices = np.concatenate(columns)
    matrix = csr_matrix((np.concatenate(data).astype(dtype, copy=False), indices,
                         np.asarray(indptr, dtype=np.int64)),
                        shape=(len(rows), int(sum(widths))))
    if len(rows) == 1 and np.all(indices[1:] > indices[:-1]):
        matrix.has_canonical_format = True  # sorted, no duplicates: nothing to sum
    else:
        matrix.sum_duplicates()
    return matrix
