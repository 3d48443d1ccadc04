from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    page_size: int = 20


@lru_cache
def get_settings() -> Settings:
    return Settings()
