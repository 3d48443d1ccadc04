import os

from sqlalchemy import create_engine, text

from app.models import Base


def legacy_engine():
    # Left from an old deployment script; nothing imports it any more.
    return create_engine(os.environ["LEGACY_URL"])


def create_tables() -> None:
    engine = create_engine(os.environ["DATABASE_URL"])
    with engine.begin() as connection:
        Base.metadata.create_all(connection)
    engine.dispose()


def make_engine():
    return create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)  # expect: SW004
