"""Security headers Django 5.2 does not set by itself."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
