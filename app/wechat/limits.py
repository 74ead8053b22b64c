"""WeChat's size limits and the helpers that keep Linli's text within them.

Both gateways use these, so development (the console gateway) truncates exactly as production.
"""

from __future__ import annotations

from collections.abc import Iterator

# Customer-service text: over-long content fails with 45002 (reference/wechat.md §2.3).
CUSTOM_TEXT_MAX_BYTES = 2048
# msg_sec_check v2 checks at most this many characters per call; longer text goes in chunks.
TEXT_CHECK_MAX_CHARS = 2500

ELLIPSIS = "…"


def fit_utf8(text: str, max_bytes: int, marker: str = ELLIPSIS) -> str:
    """`text` cut to at most `max_bytes` UTF-8 bytes on a character boundary, ending in `marker`
    when something was cut (so the reader sees that the message goes on)."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    budget = max(max_bytes - len(marker.encode("utf-8")), 0)
    # Decoding with "ignore" drops only the incomplete character the byte cut left at the end:
    # everything before it came from encoding a valid str.
    head = encoded[:budget].decode("utf-8", "ignore")
    return head + marker if budget else head


def chunks(text: str, size: int = TEXT_CHECK_MAX_CHARS) -> Iterator[str]:
    """Consecutive pieces of `text`, each at most `size` characters (none for empty text)."""
    for start in range(0, len(text), size):
        yield text[start:start + size]
