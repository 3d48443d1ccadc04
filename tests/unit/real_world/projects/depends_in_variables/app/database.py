from collections.abc import Iterator

from sqlmodel import Field, Session, SQLModel, create_engine

engine = create_engine("sqlite:///./boards.db")


class Board(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str


def open_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session
