"""Choosing one of more items than a menu holds: five a screen, numbered on from screen to screen.

Categories, mailboxes, polls and poll options can outnumber the five choices a menu may name
(DESIGN.md §6). A flow shows `screen(...)` for the page kept in its data, "下一页" (read as the
CONTINUE intent) turns to the next page (and from the last back to the first), and a number is
read against the whole list (`picked`): page two shows 6–10, so a number means the same item
whichever screen the resident answers from.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.text import MAX_MENU_ITEMS, numbered_menu

BACK = "回复0返回"


def page_count(total: int) -> int:
    return max(1, -(-total // MAX_MENU_ITEMS))


def screen(title: str, labels: Sequence[str], page: int, *, elder: bool = False,
           hint: str = "") -> str:
    """The page `page` of the list (wrapping around), with "下一页" when there is more, `hint`
    (e.g. how to answer several numbers) and the way back."""
    page %= page_count(len(labels))
    start = page * MAX_MENU_ITEMS
    footer = [hint] if hint else []
    if len(labels) > MAX_MENU_ITEMS:
        footer.append("说“下一页”看更多" if elder else
                      f"第{page + 1}/{page_count(len(labels))}页，说“下一页”看更多")
    footer.append(BACK)
    return numbered_menu(title, labels[start:start + MAX_MENU_ITEMS], footer="\n".join(footer),
                         start=start + 1)


def next_page(page: int, total: int) -> int:
    return (page + 1) % page_count(total)


def picked(number: int | None, total: int) -> int | None:
    """The index of the item `number` names, or None when it names none."""
    if number is None or not 1 <= number <= total:
        return None
    return number - 1
