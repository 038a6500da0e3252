"""Configuration from environment variables, validated once at start.

A bad value stops the program with a message that names the variable; the embedded
defaults (SQLite under var/, a generated secret key) apply only when no
DATABASE_URL is given.
"""

from __future__ import annotations

import os
import secrets
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FANGYI_VAR_DIR", BASE_DIR / "var"))

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


class ConfigError(SystemExit):
    def __init__(self, message: str) -> None:
        super().__init__(f"Fangyi configuration error: {message}")


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean (use 1/0, true/false)")


@dataclass(frozen=True)
class Config:
    debug: bool
    embedded: bool
    database: dict[str, Any]
    secret_key: str
    allowed_hosts: list[str]
    time_zone: str
    https: bool
    csrf_trusted_origins: list[str]
    trust_forwarded_proto: bool
    hsts_seconds: int = 0
    hsts_include_subdomains: bool = False


def _embedded_secret_key() -> str:
    """A per-installation key kept in var/, so sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load() -> Config:
    url = os.environ.get("DATABASE_URL", "").strip()
    embedded = not url
    if embedded:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'fangyi.sqlite3'}"
    try:
        database: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"DATABASE_URL={url!r} cannot be used: {exc}") from exc
    engine = database["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"] = {
            # WAL lets readers go on while the worker writes; IMMEDIATE makes a
            # writing transaction take the lock at BEGIN instead of failing later.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-64000; PRAGMA mmap_size=268435456;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif engine != "django.db.backends.postgresql":
        raise ConfigError(f"DATABASE_URL must be sqlite:// or postgres://, not {engine}")
    if "TEST" not in database and os.environ.get("FANGYI_TEST_DB_NAME"):
        database["TEST"] = {"NAME": os.environ["FANGYI_TEST_DB_NAME"]}

    secret_key = os.environ.get("SECRET_KEY", "").strip()
    if not secret_key:
        if not embedded:
            raise ConfigError("SECRET_KEY must be set when DATABASE_URL is set")
        secret_key = _embedded_secret_key()
    elif len(secret_key) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters long")

    debug = _bool("DEBUG", False)
    hosts_raw = os.environ.get("ALLOWED_HOSTS")
    if hosts_raw is None:
        if not embedded:
            raise ConfigError("ALLOWED_HOSTS must be set when DATABASE_URL is set")
        allowed_hosts = ["127.0.0.1", "localhost", "[::1]"]
    else:
        allowed_hosts = [h.strip() for h in hosts_raw.split(",") if h.strip()]
        if not allowed_hosts:
            raise ConfigError("ALLOWED_HOSTS is empty")

    time_zone = os.environ.get("TIME_ZONE", "Asia/Shanghai")
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"TIME_ZONE={time_zone!r} is not a known time zone") from exc

    # Behind a reverse proxy that terminates TLS, cookies are Secure; a plain-HTTP intranet
    # installation sets HTTPS=false or nobody could log in.
    https = _bool("HTTPS", not embedded)
    origins = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
    for origin in origins:
        if not origin.startswith(("http://", "https://")):
            raise ConfigError(f"CSRF_TRUSTED_ORIGINS entry {origin!r} must start with http:// or https://")
    trust_forwarded_proto = _bool("TRUST_X_FORWARDED_PROTO", False)
    # HSTS tells browsers to use HTTPS only, for a year by default; never sent by a plain-HTTP
    # installation (it would lock its users out of it until the time runs out).
    hsts_raw = os.environ.get("HSTS_SECONDS", "31536000").strip()
    if not hsts_raw.isdigit():
        raise ConfigError(f"HSTS_SECONDS={hsts_raw!r} is not a whole number of seconds (0 turns HSTS off)")
    hsts_seconds = int(hsts_raw) if https else 0
    hsts_include_subdomains = https and _bool("HSTS_INCLUDE_SUBDOMAINS", False)

    return Config(
        debug,
        embedded,
        database,
        secret_key,
        allowed_hosts,
        time_zone,
        https,
        origins,
        trust_forwarded_proto,
        hsts_seconds,
        hsts_include_subdomains,
    )


def webhook_url() -> str:
    """FANGYI_WEBHOOK_URL: where notices are posted as JSON (empty: the inbox only)."""
    url = os.environ.get("FANGYI_WEBHOOK_URL", "").strip()
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError(f"FANGYI_WEBHOOK_URL={url!r} must start with http:// or https://")
    return url


def int_overrides(prefix: str) -> dict[str, int]:
    """Every environment variable starting with `prefix`, as a positive whole number."""
    values = {}
    for name, raw in os.environ.items():
        if not name.startswith(prefix):
            continue
        try:
            value = int(raw.replace("_", ""))
        except ValueError:
            raise ConfigError(f"{name}={raw!r} is not a whole number") from None
        if value <= 0:
            raise ConfigError(f"{name}={raw!r} must be greater than 0")
        values[name] = value
    return values
