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


# --- template and subscribe message values ---------------------------------------------------
# Mini-program subscribe messages, and official-account template messages created since 2023,
# type each data key by its name: "thing2" holds a thing, "time4" a time. A value breaking its
# type's rule fails the whole message with 47003 (reference/wechat.md §3.3), so every value goes
# through `fit_template_value` first.

TEMPLATE_VALUE_MAX_CHARS = {
    "thing": 20,  # any text
    "name": 10,  # Chinese name (20 when it is Latin letters only)
    "phrase": 5,  # Chinese characters only
    "number": 32,  # digits, may have a decimal point
    "letter": 32,  # Latin letters only
    "symbol": 5,
    "character_string": 32,  # digits, Latin letters and ASCII symbols
    "phone_number": 17,  # digits and + -
    "car_number": 8,
}
NAME_LATIN_MAX_CHARS = 20
TEMPLATE_TIME_TYPES = frozenset({"time", "date"})
TEMPLATE_KEY_TYPES = frozenset(TEMPLATE_VALUE_MAX_CHARS) | TEMPLATE_TIME_TYPES
# Untyped keys of older official-account templates (keyword1, first, remark): kept as short
# as a thing, because residents hear them read aloud.
UNTYPED_VALUE_MAX_CHARS = 20


class TemplateValueError(ValueError):
    """A value that cannot be made valid for its key (missing, or nothing of its type left)."""


def template_key_type(key: str) -> str | None:
    """The value type a data key names ("thing2" -> "thing"), or None for an untyped key."""
    base = key.rstrip("0123456789")
    return base if base in TEMPLATE_KEY_TYPES else None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cut(text: str, max_chars: int, marker: str = "") -> str:
    if len(text) <= max_chars:
        return text
    return text[:max_chars - len(marker)] + marker


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _format_moment(value, key_type: str) -> str:
    from datetime import datetime

    from app.clock import LOCAL_ZONE

    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            # Already written for people ("2026年11月24日 10:00"): WeChat judges it.
            return _cut(_one_line(value), 24)
    if not isinstance(moment, datetime):
        raise TemplateValueError(f"{key_type} value {value!r} is not a time")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_ZONE)
    local = moment.astimezone(LOCAL_ZONE)
    day = f"{local.year}年{local.month}月{local.day}日"
    return day if key_type == "date" else f"{day} {local:%H:%M}"


def fit_template_value(key: str, value) -> str:
    """`value` made valid for the data key `key` of a subscribe or template message.

    Text is put on one line and cut to its type's length (a thing ends in "…" when cut), types
    with a restricted alphabet keep only the characters they allow, and times (ISO 8601 strings
    or datetimes) are written in China time as WeChat shows them ("2026年11月24日 10:00").
    Raises `TemplateValueError` when nothing valid is left.
    """
    if value is None:
        raise TemplateValueError(f"no value for {key}")
    key_type = template_key_type(key)
    if key_type in TEMPLATE_TIME_TYPES:
        fitted = _format_moment(value, key_type)
    else:
        text = _one_line(str(value))
        if key_type is None:
            fitted = _cut(text, UNTYPED_VALUE_MAX_CHARS, ELLIPSIS)
        elif key_type == "thing":
            fitted = _cut(text, TEMPLATE_VALUE_MAX_CHARS["thing"], ELLIPSIS)
        elif key_type == "phrase":
            fitted = _cut("".join(c for c in text if _is_han(c)), TEMPLATE_VALUE_MAX_CHARS["phrase"])
        elif key_type == "name":
            latin = text.isascii()
            fitted = _cut(text, NAME_LATIN_MAX_CHARS if latin else TEMPLATE_VALUE_MAX_CHARS["name"])
        elif key_type == "number":
            fitted = _cut("".join(c for c in text if c.isascii() and (c.isdigit() or c == ".")),
                          TEMPLATE_VALUE_MAX_CHARS["number"])
        elif key_type == "letter":
            fitted = _cut("".join(c for c in text if c.isascii() and c.isalpha()),
                          TEMPLATE_VALUE_MAX_CHARS["letter"])
        elif key_type == "character_string":
            fitted = _cut("".join(c for c in text if "!" <= c <= "~"),
                          TEMPLATE_VALUE_MAX_CHARS["character_string"])
        elif key_type == "phone_number":
            fitted = _cut("".join(c for c in text if c.isascii() and (c.isdigit() or c in "+-")),
                          TEMPLATE_VALUE_MAX_CHARS["phone_number"])
        else:  # symbol, car_number
            fitted = _cut(text.replace(" ", ""), TEMPLATE_VALUE_MAX_CHARS[key_type])
    if not fitted:
        raise TemplateValueError(f"nothing valid for {key} in {value!r}")
    return fitted
