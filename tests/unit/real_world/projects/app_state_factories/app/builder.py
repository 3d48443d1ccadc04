import os
from collections.abc import Iterator

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker


class SessionMaker:
    """Builds the engine and the factory lazily, once."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._factory: sessionmaker | None = None

    @property
    def factory(self) -> sessionmaker:
        if self._factory is None:
            self._factory = sessionmaker(bind=create_engine(self.url, pool_pre_ping=True))
        return self._factory

    def get_db(self) -> Iterator[Session]:
        session = self.factory()
        try:
            yield session
            session.commit()  # expect: SW006
        finally:
            session.close()


database = SessionMaker(os.environ["DATABASE_URL"])
