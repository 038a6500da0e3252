"""Search text kept out of URLs.

What people type into a search box is often an ID number or a phone. A URL carrying it
ends up in the access log of every server and proxy on the way and in the Referer of
the next request. So a list's filter form is posted: the text is kept in the session
under an opaque key, and the page's URL, its paging links and its export link carry
`s=KEY` instead of `q=…`. The other filters (community, age band …) stay in the URL.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict

TEXT = "q"
KEY = "s"
_SESSION = "fangyi_searches"
_KEEP = 30  # searches remembered per session: enough to go back a few pages
_NOT_FILTERS = ("csrfmiddlewaretoken", "page", KEY, TEXT)


@dataclass(frozen=True)
class ListQuery:
    """A list's filters: `data` for the filter form (None when there are none, so that
    the form stays unbound), `url` the same for links, with the key in place of the text."""

    data: QueryDict | None
    url: str
    text: str


def read(request: HttpRequest) -> ListQuery:
    """The filters of this request: posted (a new search), or in the query string with
    the search text found again from its key. A `q` in a query string (an old link) is
    honoured and from then on carried as a key too; an unknown key means no search."""
    source = request.POST if request.method == "POST" else request.GET
    text = source.get(TEXT, "").strip()
    if text:
        key = _stash(request, text)
    else:
        key = source.get(KEY, "")
        text = request.session.get(_SESSION, {}).get(key, "") if key else ""
        key = key if text else ""
    filters = QueryDict(mutable=True)
    for name, values in source.lists():
        # Empty filters (a posted form sends every field) would only lengthen the URL.
        if name not in _NOT_FILTERS and any(values):
            filters.setlist(name, values)
    url = filters.copy()
    if key:
        url[KEY] = key
    data = filters.copy()
    if text:
        data[TEXT] = text
    if request.method == "GET" and "page" in request.GET:
        data["page"] = request.GET["page"]
    return ListQuery(data=data if data else None, url=url.urlencode(), text=text)


def redirect_after_post(request: HttpRequest, query: ListQuery) -> HttpResponse | None:
    """After a posted search without htmx, the page again by GET (post/redirect/get), so
    that reloading and the back button work; None otherwise."""
    if request.method == "POST" and not request.headers.get("HX-Request"):
        return HttpResponseRedirect(_url(request, query), status=303)
    return None


def push_url(request: HttpRequest, response: HttpResponse, query: ListQuery) -> HttpResponse:
    """After a posted search by htmx, the address bar shows the page with the key."""
    if request.method == "POST":
        response["HX-Push-Url"] = _url(request, query)
    return response


def _url(request: HttpRequest, query: ListQuery) -> str:
    return f"{request.path}?{query.url}" if query.url else request.path


def _stash(request: HttpRequest, text: str) -> str:
    searches: dict[str, str] = dict(request.session.get(_SESSION, {}))
    for key, value in searches.items():
        if value == text:
            return key
    key = secrets.token_urlsafe(6)
    searches[key] = text
    request.session[_SESSION] = dict(list(searches.items())[-_KEEP:])
    return key
