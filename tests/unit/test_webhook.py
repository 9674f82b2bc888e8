"""channels/webhook.py: a channel built from its credentials."""
from channels.webhook import from_same_named


class Channel:
    def __init__(self, verify_token: str, app_secret: str, api_url: str = "https://x") -> None:
        self.verify_token, self.app_secret, self.api_url = verify_token, app_secret, api_url


def test_credentials_fill_the_same_named_arguments_and_empty_ones_take_defaults() -> None:
    made = from_same_named(Channel, {"verify_token": "vt", "app_secret": None, "api_url": "",
                                     "unused": "x"})
    assert (made.verify_token, made.app_secret, made.api_url) == ("vt", "", "https://x")
