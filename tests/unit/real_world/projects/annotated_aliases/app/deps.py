import os
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
SessionLocal = sessionmaker(bind=engine)


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]
Slug = Annotated[str, Path(min_length=3)]
Limit = Annotated[int, Depends(lambda: 10)]


class Repository:
    def __init__(self, db: SessionDep) -> None:
        self.db = db


RepositoryDep = Annotated[Repository, Depends(Repository)]
