from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fangyi.core.contributions import HOME_TILES


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: the tiles the apps contribute (core.contributions.HOME_TILES) that
    the user may see."""
    return render(request, "home.html", {"tiles": HOME_TILES.render(request)})


@login_required
def ping(request: HttpRequest) -> HttpResponse:
    """The trivial view benchmarks compare against: same middleware, no work."""
    return HttpResponse("ok", content_type="text/plain")
