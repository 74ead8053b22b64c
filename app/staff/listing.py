"""Paged lists on the staff pages: the page number from the query string, and links to pages.

`page = paged(query)` runs `app.pagination.paginate` for the `?page=` of the request; the
`pager(page)` macro in macros.html draws 上一页/下一页 keeping the other query arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import request, url_for

from app.pagination import MAX_PER_PAGE, paginate

PER_PAGE = 20


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def url_for_page(self, number: int) -> str:
        """This list's URL at page `number`, with the same filters."""
        args = {key: value for key, value in request.args.items(multi=False) if key != "page"}
        if number > 1:
            args["page"] = number
        return url_for(request.endpoint, **(request.view_args or {}), **args)


def requested_page() -> int:
    raw = request.args.get("page", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 10_000 else 1


def paged(query: sa.Select, per_page: int = PER_PAGE, *, scalars: bool = True) -> Page:
    """One page of `query` for the current request (out-of-range pages show the last page).
    With `scalars=False` the items are rows (mappings) of a query selecting several columns."""
    per_page = min(per_page, MAX_PER_PAGE)
    result = paginate(query, requested_page(), per_page, scalars=scalars)
    meta = result["meta"]
    if meta["page"] > meta["pages"] > 0:
        result = paginate(query, meta["pages"], per_page, scalars=scalars)
        meta = result["meta"]
    return Page(items=list(result["items"]), page=meta["page"], per_page=per_page,
                total=meta["total"], pages=max(meta["pages"], 1))
