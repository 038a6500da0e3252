"""The API's one pagination: numbered pages of settings.FANGYI_PAGE_SIZE rows, as the pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase


class Pages(PaginationBase):
    """`@paginate(Pages)` on an endpoint that returns a queryset. The page number is the
    `page` of the endpoint's `filters` (in the query, or in the body of a search, which
    keeps an ID number out of URLs): the endpoint's filter parameter must be named
    `filters`. A page past the last answers the last one, as the pages do."""

    items_attribute = "results"

    class Input(Schema):
        pass

    class Output(Schema):
        count: int = Field(description="rows in all pages", examples=[120])
        page: int = Field(description="this page's number, from 1", examples=[1])
        pages: int = Field(description="number of pages", examples=[5])
        results: list[Any]

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        rows = Paginator(queryset, settings.FANGYI_PAGE_SIZE).get_page(params["filters"].page)
        return {
            "count": rows.paginator.count,
            "page": rows.number,
            "pages": rows.paginator.num_pages,
            "results": list(rows),
        }
