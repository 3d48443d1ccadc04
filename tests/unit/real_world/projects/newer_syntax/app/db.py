import os
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
SessionLocal = sessionmaker(bind=engine)


def get_db() -> Iterator[Session]:
    db = SessionLocal()
    try:
        yield db
        db.commit()  # expect: SW006
    except ValueError, KeyError:
        db.rollback()
        raise
    finally:
        db.close()


type SessionDep = Annotated[Session, Depends(get_db)]


class Page[T]:
    def __init__(self, items: list[T]) -> None:
        self.items = items


def first[T: (int, str) = int](items: list[T]) -> T:
    return items[0]


def describe(row: dict[str, str]) -> str:
    return f"{row["name"]} ({f"{row['kind']}"})"


def report(rows: list[str]) -> str:
    return f"{
        ", ".join(rows)  # one line per row
    }"
