"""Reply text for the official-account bot: safe inside wechatpy's XML, paged, numbered.

- wechatpy 1.8.18 writes a TextReply's content into `<![CDATA[…]]>` without escaping
  (reference/wechat.md §1.4), so every reply goes through `escape_cdata()` before it is rendered.
- WeChat truncates or refuses passive text replies of about 2048 UTF-8 bytes; `split_reply()`
  pages longer text within a smaller budget, and the resident replies 0 for the next page.
- Menus name at most five choices, numbered, with the way back on the last line (DESIGN.md §6).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A CDATA section cannot contain "]]>": close the section after "]]" and open a new one for ">".
_CDATA_END = "]]>"
_CDATA_END_ESCAPED = "]]]]><![CDATA[>"
# Characters XML 1.0 forbids even inside CDATA; a reply carrying one is refused as a whole.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape_cdata(text: str) -> str:
    """Make text safe to place inside `<![CDATA[ … ]]>` (wechatpy does not escape it)."""
    return _XML_ILLEGAL.sub("", text).replace(_CDATA_END, _CDATA_END_ESCAPED)


DEFAULT_LIMIT_BYTES = 1800  # below WeChat's ~2048 bytes, leaving room for the XML around it
DEFAULT_MORE_PROMPT = "（回复0继续）"
_LONGEST_UTF8_CHARACTER = 4

# Where a page may end, best first. A cut is taken only if it keeps at least half the page, so a
# short first line does not waste a whole reply.
_SENTENCE_ENDS = frozenset("。！？!?；;…")
_CLAUSE_ENDS = frozenset("，、,：:")
_CLOSERS = frozenset("”’」』）)】》\"'")


def _longest_prefix_within(text: str, limit_bytes: int) -> str:
    """The longest prefix of text whose UTF-8 form fits in limit_bytes, ending on a whole character."""
    encoded = text[:limit_bytes].encode("utf-8")[:limit_bytes]
    # A character cut in half can only be at the end; "ignore" drops just that part.
    return encoded.decode("utf-8", "ignore")


def _after_last(window: str, ends: frozenset[str]) -> int:
    """The index just after the last boundary character in window (and its closing quotes), or 0."""
    for index in range(len(window) - 1, -1, -1):
        if window[index] in ends:
            cut = index + 1
            while cut < len(window) and window[cut] in _CLOSERS:
                cut += 1
            return cut
    return 0


def _cut_point(window: str) -> int:
    """Where to end a page that may hold at most `window`: a line, a sentence, a clause, a space."""
    enough = len(window) // 2
    for cut in (
        window.rfind("\n") + 1,
        _after_last(window, _SENTENCE_ENDS),
        _after_last(window, _CLAUSE_ENDS),
        window.rfind(" ") + 1,
    ):
        if cut > enough:
            return cut
    return len(window)


def split_reply(
    text: str,
    *,
    limit_bytes: int = DEFAULT_LIMIT_BYTES,
    more_prompt: str = DEFAULT_MORE_PROMPT,
) -> list[str]:
    """Split a reply into pages of at most limit_bytes UTF-8 bytes, prompts included.

    Pages end at a line break when one is in the second half of the page, else at a sentence end,
    a clause end or a space, else at the last whole character that fits. Every page but the last
    ends with a line holding more_prompt. Whitespace at a cut is dropped (the prompt's own line
    replaces the line break); no other character is lost or added.
    """
    if len(text.encode("utf-8")) <= limit_bytes:
        return [text]
    suffix = "\n" + more_prompt if more_prompt else ""
    budget = limit_bytes - len(suffix.encode("utf-8"))
    if budget < _LONGEST_UTF8_CHARACTER:
        raise ValueError(f"limit_bytes={limit_bytes} leaves no room for text beside the prompt")
    pages = []
    rest = text
    while len(rest.rstrip().encode("utf-8")) > limit_bytes:
        window = _longest_prefix_within(rest, budget)
        cut = _cut_point(window)
        pages.append(rest[:cut].rstrip() + suffix)
        rest = rest[cut:].lstrip("\n")
    pages.append(rest.rstrip())
    return pages


MAX_MENU_ITEMS = 5


def numbered_menu(title: str, items: Sequence[str], *, footer: str = "回复0返回",
                  start: int = 1) -> str:
    """A short numbered menu: the title, "1 …" to "5 …" one per line, then the way back.

    More than five choices do not fit an elderly reader's screen: the caller pages them instead,
    so this raises ValueError (and for an empty menu or an empty item, which are bugs). A later
    page goes on numbering where the earlier one stopped (`start=6`), so a number means the
    same choice on every page.
    """
    if not 1 <= len(items) <= MAX_MENU_ITEMS:
        raise ValueError(f"a menu names 1 to {MAX_MENU_ITEMS} choices, got {len(items)}")
    lines = [title] if title else []
    for number, item in enumerate(items, start=start):
        label = " ".join(item.split())  # one line per choice, whatever the item held
        if not label:
            raise ValueError(f"menu item {number} is empty")
        lines.append(f"{number} {label}")
    if footer:
        lines.append(footer)
    return "\n".join(lines)
