"""Settings come from the environment only; a bad or missing one stops start-up naming the variable."""

from __future__ import annotations

import stat

import pytest

from services.core.settings import DEFAULT_GRPC_PORTS, SERVICE_NAMES, SettingsError, load_settings

KEY = "k" * 40


def test_defaults_run_on_a_laptop(clean_env, tmp_path):
    settings = load_settings()

    assert settings.data_dir == (tmp_path / ".crm-data").resolve()
    assert settings.bus_url == "memory://"
    assert settings.database_url is None
    assert settings.database_url_for("leads") == f"sqlite:///{settings.data_dir / 'leads.db'}"
    assert settings.grpc_port is None
    assert [settings.grpc_port_for(name) for name in SERVICE_NAMES] == list(range(50051, 50057))
    assert settings.peer_addrs == {name: f"127.0.0.1:{DEFAULT_GRPC_PORTS[name]}" for name in SERVICE_NAMES}
    assert settings.addr_of("identity") == "127.0.0.1:50051"
    assert (settings.metrics_port, settings.http_port, settings.log_level) == (9464, 8080, "INFO")
    assert settings.retry_delays_seconds == (1.0, 5.0, 30.0)
    assert settings.outbox_poll_seconds == 1.0
    assert settings.consumer_prefetch == 64
    assert settings.consumer_concurrency == 1
    assert (settings.consumer_coalesce_ms, settings.grpc_workers, settings.db_pool_size) == (5, 16, 20)


def test_environment_overrides_defaults(clean_env, tmp_path):
    clean_env.setenv("CRM_DATA_DIR", str(tmp_path / "data"))
    clean_env.setenv("CRM_GRPC_PORT", "6000")
    clean_env.setenv("CRM_LEADS_ADDR", "leads.svc:50051")
    clean_env.setenv("CRM_RETRY_DELAYS", "0.5, 2,10")
    clean_env.setenv("CRM_OUTBOX_POLL_MS", "250")
    clean_env.setenv("CRM_LOG_LEVEL", "debug")
    clean_env.setenv("CRM_DATABASE_URL", "sqlite:////tmp/x.db")
    clean_env.setenv("CRM_CONSUMER_COALESCE_MS", "0")
    clean_env.setenv("CRM_GRPC_WORKERS", "8")
    clean_env.setenv("CRM_DB_POOL_SIZE", "12")

    settings = load_settings()

    assert settings.data_dir == tmp_path / "data"
    assert settings.grpc_port_for("analytics") == 6000
    assert settings.addr_of("leads") == "leads.svc:50051"
    assert settings.retry_delays_seconds == (0.5, 2.0, 10.0)
    assert settings.outbox_poll_seconds == 0.25
    assert settings.log_level == "DEBUG"
    assert settings.grpc_port_for("leads") == 6000  # CRM_GRPC_PORT: one service per process
    assert (settings.consumer_coalesce_ms, settings.grpc_workers, settings.db_pool_size) == (0, 8, 12)

    # One shared URL for every service when set.
    assert settings.database_url_for("identity") == settings.database_url_for("leads") == "sqlite:////tmp/x.db"


def test_without_grpc_port_each_service_listens_on_its_peer_address_port(clean_env):
    # `crm up`: every service in one process, each on the port its peers were told (CRM_<SERVICE>_ADDR).
    clean_env.setenv("CRM_LEADS_ADDR", "leads.internal:6101")
    settings = load_settings()
    assert settings.grpc_port_for("leads") == 6101
    assert settings.grpc_port_for("identity") == DEFAULT_GRPC_PORTS["identity"]


def test_postgresql_url_is_normalised_to_the_psycopg_driver(clean_env):
    clean_env.setenv("CRM_DATABASE_URL", "postgresql://crm:pw@db:5432/crm")
    assert load_settings().database_url == "postgresql+psycopg://crm:pw@db:5432/crm"

    clean_env.setenv("CRM_DATABASE_URL", "postgresql+psycopg://crm@db/crm")
    assert load_settings().database_url == "postgresql+psycopg://crm@db/crm"


@pytest.mark.parametrize("url", ["mysql://x/y", "redis://localhost"])
def test_unsupported_urls_are_rejected_naming_the_variable(clean_env, url):
    variable = "CRM_DATABASE_URL" if url.startswith("mysql") else "CRM_BUS_URL"
    clean_env.setenv(variable, url)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert error.value.variable == variable
    assert variable in str(error.value)


@pytest.mark.parametrize("bus_url", ["amqp://guest:guest@rabbit:5672/", "amqps://rabbit/"])
def test_token_key_is_required_with_a_real_broker(clean_env, bus_url):
    clean_env.setenv("CRM_BUS_URL", bus_url)

    with pytest.raises(SettingsError) as error:
        load_settings()

    assert error.value.variable == "CRM_TOKEN_KEY"
    message = str(error.value)
    assert "CRM_TOKEN_KEY" in message and "\n" not in message
    assert isinstance(error.value, SystemExit)  # start-up stops

    clean_env.setenv("CRM_TOKEN_KEY", KEY)
    assert load_settings().token_key == KEY


def test_short_token_key_is_rejected(clean_env):
    clean_env.setenv("CRM_TOKEN_KEY", "short")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert error.value.variable == "CRM_TOKEN_KEY"


def test_laptop_token_key_is_generated_once_per_data_dir(clean_env, tmp_path):
    data_dir = tmp_path / "fresh" / "data"
    clean_env.setenv("CRM_DATA_DIR", str(data_dir))

    first = load_settings().token_key
    key_file = data_dir / "token.key"

    assert key_file.read_text().strip() == first
    assert len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # a signing key is not world-readable
    assert load_settings().token_key == first  # `crm token` and `crm up` agree

    clean_env.setenv("CRM_DATA_DIR", str(tmp_path / "other"))
    assert load_settings().token_key != first


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CRM_GRPC_PORT", "fifty"),
        ("CRM_METRICS_PORT", "9464x"),
        ("CRM_HTTP_PORT", "8080.5"),
        ("CRM_OUTBOX_POLL_MS", "soon"),
        ("CRM_CONSUMER_PREFETCH", "many"),
        ("CRM_CONSUMER_CONCURRENCY", "four"),
        ("CRM_LEADS_ADDR", "leads-without-port"),
        ("CRM_IDENTITY_ADDR", ":50051"),
        ("CRM_SALES_ADDR", "sales:http"),
        ("CRM_RETRY_DELAYS", "1,five,30"),
        ("CRM_RETRY_DELAYS", "1,0,30"),
        ("CRM_RETRY_DELAYS", "-1"),
        ("CRM_GRPC_WORKERS", "0"),
        ("CRM_DB_POOL_SIZE", "none"),
        ("CRM_CONSUMER_COALESCE_MS", "-5"),
    ],
)
def test_malformed_values_name_the_variable(clean_env, variable, value):
    clean_env.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert error.value.variable == variable
    assert str(error.value).startswith(f"crm: configuration error: {variable} ")


@pytest.mark.parametrize(("variable", "value"), [("CRM_GRPC_PORT", "70000"), ("CRM_METRICS_PORT", "-1")])
def test_out_of_range_ports_name_the_variable(clean_env, variable, value):
    # A port outside 0..65535 is as malformed as a non-number; it must not fail later at bind time.
    clean_env.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert error.value.variable == variable
