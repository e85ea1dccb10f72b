"""Settings come from environment variables only, with defaults that run on a laptop."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

SERVICE_NAMES = ("identity", "leads", "sales", "support", "marketing", "analytics")

# Each service has its own default port so that `crm up` can run all of them side by side.
DEFAULT_GRPC_PORTS = {name: 50051 + index for index, name in enumerate(SERVICE_NAMES)}


class SettingsError(SystemExit):
    """A setting is missing or malformed: start-up stops with one line naming the variable."""

    def __init__(self, variable: str, problem: str):
        super().__init__(f"crm: configuration error: {variable} {problem}")
        self.variable = variable


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(name, f"must be an integer, got {raw!r}") from None


def _env_at_least(name: str, default: int, minimum: int) -> int:
    value = _env_int(name, default)
    if value < minimum:
        raise SettingsError(name, f"must be at least {minimum}, got {value}")
    return value


def _env_port(name: str, default: int) -> int:
    port = _env_int(name, default)
    if not 0 <= port <= 65535:
        raise SettingsError(name, f"must be a port number 0..65535, got {port}")
    return port


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str | None  # None: one SQLite file per service in data_dir
    bus_url: str
    token_key: str
    grpc_port: int | None  # None: the service's default port
    metrics_port: int
    http_port: int
    log_level: str
    peer_addrs: dict[str, str] = field(default_factory=dict)
    outbox_poll_seconds: float = 1.0
    timer_poll_seconds: float = 1.0
    consumer_prefetch: int = 64
    consumer_concurrency: int = 1
    consumer_coalesce_ms: int = 5
    grpc_workers: int = 16
    db_pool_size: int = 20
    inbox_retention_hours: int = 168
    # Back-off before each retry of a failed event; after the last one the event goes to the dead-letter queue.
    retry_delays_seconds: tuple[float, ...] = (1.0, 5.0, 30.0)

    def database_url_for(self, service: str) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / (service + '.db')}"

    def grpc_port_for(self, service: str) -> int:
        """CRM_GRPC_PORT when set (one service per process); else the port of CRM_<SERVICE>_ADDR (`crm up`)."""
        if self.grpc_port is not None:
            return self.grpc_port
        return int(self.peer_addrs[service].rsplit(":", 1)[1])

    def addr_of(self, service: str) -> str:
        return self.peer_addrs[service]


def _parse_delays(raw: str | None) -> tuple[float, ...]:
    if raw is None:
        return (1.0, 5.0, 30.0)
    try:
        delays = tuple(float(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise SettingsError("CRM_RETRY_DELAYS", f"must be comma-separated seconds, got {raw!r}") from None
    if any(d <= 0 for d in delays):
        raise SettingsError("CRM_RETRY_DELAYS", "delays must be positive")
    return delays


def _token_key(data_dir: Path, bus_url: str) -> str:
    key = _env("CRM_TOKEN_KEY")
    if key:
        if len(key) < 32:
            raise SettingsError("CRM_TOKEN_KEY", "must be at least 32 characters")
        return key
    if not bus_url.startswith("memory://"):
        # A distributed deployment must share one key; a generated one would differ per pod.
        raise SettingsError("CRM_TOKEN_KEY", "is required when CRM_BUS_URL is not memory://")
    # Laptop mode: one key per data directory, so `crm token` and `crm up` agree.
    key_file = data_dir / "token.key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


def load_settings() -> Settings:
    data_dir = Path(_env("CRM_DATA_DIR", str(Path.cwd() / ".crm-data"))).expanduser().resolve()
    bus_url = _env("CRM_BUS_URL", "memory://")
    if not (bus_url.startswith("memory://") or bus_url.startswith("amqp://") or bus_url.startswith("amqps://")):
        raise SettingsError("CRM_BUS_URL", f"must start with memory://, amqp:// or amqps://, got {bus_url!r}")
    database_url = _env("CRM_DATABASE_URL")
    if database_url and not (database_url.startswith("sqlite") or database_url.startswith("postgresql")):
        raise SettingsError("CRM_DATABASE_URL", "must be a sqlite:// or postgresql+psycopg:// URL")
    if database_url and database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    grpc_port = _env("CRM_GRPC_PORT")
    peer_addrs = {}
    for name in SERVICE_NAMES:
        variable = f"CRM_{name.upper()}_ADDR"
        address = _env(variable, f"127.0.0.1:{DEFAULT_GRPC_PORTS[name]}")
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise SettingsError(variable, f"must be host:port, got {address!r}")
        peer_addrs[name] = address
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        bus_url=bus_url,
        token_key=_token_key(data_dir, bus_url),
        grpc_port=_env_port("CRM_GRPC_PORT", 0) if grpc_port else None,
        metrics_port=_env_port("CRM_METRICS_PORT", 9464),
        http_port=_env_port("CRM_HTTP_PORT", 8080),
        log_level=_env("CRM_LOG_LEVEL", "INFO").upper(),
        peer_addrs=peer_addrs,
        outbox_poll_seconds=float(_env_int("CRM_OUTBOX_POLL_MS", 1000)) / 1000,
        timer_poll_seconds=float(_env_int("CRM_TIMER_POLL_MS", 1000)) / 1000,
        consumer_prefetch=_env_int("CRM_CONSUMER_PREFETCH", 64),
        consumer_concurrency=_env_int("CRM_CONSUMER_CONCURRENCY", 1),
        consumer_coalesce_ms=_env_at_least("CRM_CONSUMER_COALESCE_MS", 5, 0),
        grpc_workers=_env_at_least("CRM_GRPC_WORKERS", 16, 1),
        db_pool_size=_env_at_least("CRM_DB_POOL_SIZE", 20, 1),
        inbox_retention_hours=_env_int("CRM_INBOX_RETENTION_HOURS", 168),
        retry_delays_seconds=_parse_delays(_env("CRM_RETRY_DELAYS")),
    )
