"""channels/meta.py: Meta's event timestamps."""
from typing import Any

import pytest

from channels.meta import event_seconds


@pytest.mark.parametrize(("value", "per_second", "seconds"), [
    (1_700_000_000, 1, 1_700_000_000.0), (1_700_000_000_000, 1000, 1_700_000_000.0),
    ("1700000000", 1, 1_700_000_000.0), (None, 1, None), ("soon", 1, None), ([], 1, None)])
def test_event_seconds(value: Any, per_second: int, seconds: float | None) -> None:
    assert event_seconds(value, per_second) == seconds
