"""Stand-ins for sender ids and client addresses, for logs, e-mails and counters.

A sender id is often a phone number (WhatsApp): logs and the team's e-mail
show the console's pseudonym instead (``v-`` and a keyed hash with
``PSEUDONYM_KEY``, else ``CONSOLE_SECRET_KEY``), the same one the console
shows and links, as long as the bot and the console share the key.
"""
import hashlib
import hmac
import os


def pseudonym(sender_id: str, key: str) -> str:
    """A stable stand-in for a sender id (a phone number, a page-scoped id): keyed HMAC."""
    digest = hmac.new(key.encode("utf-8"), sender_id.encode("utf-8"), hashlib.sha256)
    return "v-" + digest.hexdigest()[:16]


def pseudonym_key() -> str:
    """``PSEUDONYM_KEY``, else ``CONSOLE_SECRET_KEY`` (read when called, never at import)."""
    return (os.environ.get("PSEUDONYM_KEY", "").strip()
            or os.environ.get("CONSOLE_SECRET_KEY", "").strip())


def shown(sender_id: str) -> str:
    """How logs and e-mails name a conversation: the console's pseudonym."""
    return pseudonym(sender_id, pseudonym_key())


def client_key(address: str) -> str:
    """A keyed digest of a client address, for counting requests per address."""
    digest = hmac.new(("address:" + pseudonym_key()).encode("utf-8"),
                      address.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:32]
