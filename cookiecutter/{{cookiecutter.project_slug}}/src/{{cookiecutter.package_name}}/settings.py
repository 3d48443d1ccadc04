{% set database = cookiecutter.database %}
{% set pool_size = cookiecutter.pool_size | int %}
{% set max_overflow = cookiecutter.max_overflow | int %}
{% set pool_timeout = cookiecutter.pool_timeout | int %}
{% set pool_recycle = cookiecutter.pool_recycle | int %}
{% set pool_pre_ping = (cookiecutter.pool_pre_ping | float(1) != 0 and (cookiecutter.pool_pre_ping | string | trim | lower) not in ["", "f", "false", "n", "no", "none", "null", "off", "~"]) %}
{% set connection_proxy = cookiecutter.connection_proxy %}
{% set behind_pgbouncer = connection_proxy == 'pgbouncer' %}
{% set package_name = cookiecutter.package_name %}
{% set driver = cookiecutter.driver %}
{% set url_scheme +%}{{ {'pysqlite': 'sqlite', 'aiosqlite': 'sqlite+aiosqlite',
    'psycopg': 'postgresql+psycopg', 'psycopg2': 'postgresql+psycopg2',
    'asyncpg': 'postgresql+asyncpg', 'pymysql': 'mysql+pymysql',
    'mysqlclient': 'mysql+mysqldb', 'asyncmy': 'mysql+asyncmy',
    'aiomysql': 'mysql+aiomysql'}[driver] }}{%+ endset %}
{% set database_url +%}{% if database == 'sqlite' %}{{ url_scheme }}:///./{{ package_name }}.db {%- elif database == 'postgresql' %}{{ url_scheme }}://postgres@127.0.0.1:{{ 6432 if behind_pgbouncer else 5432 }}/{{ package_name }} {%- else %}{{ url_scheme }}://root@127.0.0.1:3306/{{ package_name }}{% endif %}{%+ endset %}
{% set direct_url +%}{{ url_scheme }}://postgres@127.0.0.1:5432/{{ package_name }}{%+ endset %}
{% set has_server = database != 'sqlite' %}
{% if database == "sqlite" %}
from pydantic import Field, field_validator
{% else %}
from pydantic import Field
{% endif %}
from pydantic_settings import BaseSettings, SettingsConfigDict
{% if database == "sqlite" %}
from sqlalchemy import make_url
{% endif %}


class Settings(BaseSettings):
    """Read from environment variables (DATABASE_URL, POOL_SIZE, ...) or a .env file."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "{{ database_url }}"
{% if behind_pgbouncer %}
    # The same database on the server itself, not through PgBouncer: for migrations.
    direct_url: str = "{{ direct_url }}"
{% endif %}
    pool_size: int = Field(default={{ pool_size }}, ge=1)
    max_overflow: int = Field(default={{ max_overflow }}, ge=0)
    pool_timeout: float = Field(default={{ pool_timeout }}, gt=0)
    pool_recycle: int = Field(default={{ pool_recycle }}, ge=-1)
    pool_pre_ping: bool = {{ pool_pre_ping }}
    # Seconds a connection may stay checked out before one warning names the request
    # and the code holding it (0: off). By default pool_timeout: a connection held that
    # long is held longer than the requests waiting for one are allowed to wait.
    leak_detection_threshold: float = Field(default={{ pool_timeout }}, ge=0)
    # The pool's metrics, collected and served on /metrics (for Prometheus).
    metrics_enabled: bool = True
{% if has_server %}
    # Worker processes (uvicorn and `fastapi run` start WEB_CONCURRENCY of them), each
    # with its own pool: together they open web_concurrency x (pool_size + max_overflow)
    # connections at most.
    web_concurrency: int = Field(default=1, ge=1)
    # The most connections the service may open, all workers together (None: no budget).
    connection_budget: int | None = Field(default=None, ge=1)
    # Refuse to start, instead of logging a warning, when the pools could open more.
    refuse_over_budget: bool = False
    # Seconds to wait at start-up for a database that is not up yet, then exit.
    startup_wait: float = Field(default=30, ge=0)
{% endif %}
{% if database == "sqlite" %}

    @field_validator("database_url")
    @classmethod
    def require_file_database(cls, url: str) -> str:
        # An in-memory database is private to one connection and its pool rejects the
        # pool settings above; a file database gets a normal queue pool.
        if make_url(url).database in (None, "", ":memory:"):
            raise ValueError(
                "use a file database such as sqlite:///./app.db, not in-memory SQLite"
            )
        return url
{% endif %}


settings = Settings()
