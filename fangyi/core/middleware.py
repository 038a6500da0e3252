"""Security headers Django 5.2 does not set by itself."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fangyi.core import bounds

# No inline scripts or styles anywhere in Fangyi's pages; htmx and ECharts are served
# from the app. The admin keeps inline styles (Django's own templates use them).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CSP_ADMIN = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]):
    """CSP and Permissions-Policy on every answer, and `Cache-Control: no-store`: pages,
    exports and API answers carry personal data that must not stay in a browser's or a
    proxy's cache. Static files never get here (WhiteNoise, earlier in MIDDLEWARE, answers
    them with its own caching headers)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers["Cache-Control"] = "no-store"
        admin = request.path.startswith("/admin/")
        response.headers.setdefault("Content-Security-Policy", CSP_ADMIN if admin else CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response

    return middleware


def refuse_control_characters(get_response: Callable[[HttpRequest], HttpResponse]):
    """A page request whose query string or form fields hold a control character (NUL
    and the like) or a lone surrogate is answered 400 before any view reads it: no
    database stores NUL in text, and such input is never typed by a person. The API
    checks the same in its own input types and answers in JSON."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and _has_bad_character(request):
            return render(request, "400.html", {"message": bounds.BAD_CHARACTER_MESSAGE}, status=400)
        return get_response(request)

    return middleware


def _has_bad_character(request: HttpRequest) -> bool:
    fields = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        fields.append(request.POST)
    return any(
        bounds.has_bad_character(key) or any(bounds.has_bad_character(v) for v in values)
        for query in fields
        for key, values in query.lists()
    )
