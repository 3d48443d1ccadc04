import os

from starlette.config import Config

config = Config(".env")

DATABASE_URL = config("DATABASE_URL")
POOL_PING = config("POOL_PING", default=False)
POOL_SIZE = config("POOL_SIZE", cast=int, default=5)
REPLICA_PING = os.getenv("REPLICA_PING", "true")


class Settings:
    database_url: str = "postgresql://app@db/app"
    pool_pre_ping: bool = True
    audit_pre_ping: bool = False


settings = Settings()
