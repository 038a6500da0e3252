"""A small HTTP client for the benchmark: one connection per request, cookies kept by hand.

By hand because the session and CSRF cookies are marked Secure whenever DATABASE_URL is
set, and http.cookiejar would never send them back over plain HTTP to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.parse
from http.cookies import SimpleCookie

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class HttpError(RuntimeError):
    pass


class Client:
    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        """Send one request on a fresh connection; return (status, headers, body)."""
        headers = {"Host": f"{self.host}:{self.port}", "Connection": "close", "User-Agent": "fangyi-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            return response.status, dict(response.headers), content
        finally:
            connection.close()

    def get(self, path: str, expect: int = 200) -> bytes:
        status, _headers, content = self.request("GET", path)
        if status != expect:
            raise HttpError(f"GET {path} → {status}, expected {expect}")
        return content

    def timed_get(self, path: str) -> float:
        """Milliseconds for GET `path`, the response read to the end; it must be a 200."""
        started = time.perf_counter()
        status, _headers, _content = self.request("GET", path)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise HttpError(f"GET {path} → {status}")
        return elapsed

    def login(self, username: str, password: str) -> None:
        page = self.get("/login/").decode()
        match = CSRF_FIELD.search(page)
        if not match:
            raise HttpError("no CSRF token on the login page")
        status, headers, _content = self.request(
            "POST",
            "/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1)},
        )
        if status != 302 or "/login/" in headers.get("Location", ""):
            raise HttpError(f"login as {username} failed ({status})")
