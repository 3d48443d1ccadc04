import os
import threading
from functools import lru_cache

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
SessionLocal = sessionmaker(bind=engine)

_engine = None
_lock = threading.Lock()


def get_engine():
    """A new engine on every call."""
    return create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)


def get_session_factory():
    return sessionmaker(bind=get_engine())


def cached_engine():
    """Created once, under a lock, kept in a module global."""
    global _engine
    with _lock:
        if _engine is None:
            _engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
    return _engine


@lru_cache
def memoized_engine():
    return create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
