"""channels/guard.py: cleaning, sender ids and the rate limiter."""
from channels.guard import MAX_MESSAGE_CHARS, RateLimiter, clean_text, sender_problem


def test_clean_text_removes_control_characters_and_caps_length() -> None:
    assert clean_text("a\x00b\x07c\u200b\nd") == ("abc\nd", None)
    text, original = clean_text("x" * (MAX_MESSAGE_CHARS + 10))
    assert len(text) == MAX_MESSAGE_CHARS and original == MAX_MESSAGE_CHARS + 10


def test_sender_ids() -> None:
    assert sender_problem("whatsapp:+84383967775") is None
    assert sender_problem("9a0c7e2f4b") is None
    assert "255" in sender_problem("a" * 256)
    assert "letters" in sender_problem("a b")
    assert "non-empty" in sender_problem(None)


def test_rate_limiter_window_slides() -> None:
    limiter = RateLimiter(3, window_seconds=0.2)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")
    assert limiter.retry_after("a") >= 1
    import time

    time.sleep(0.25)
    assert limiter.allow("a")
