import os
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
SessionLocal = sessionmaker(bind=engine)
app = FastAPI()


def get_db():
    db = SessionLocal()
    try:
        yield db  # expect: SW001
    finally:
        db.close()


def get_inline():
    with SessionLocal() as session:
        yield session  # expect: SW001


def get_closed():
    with Session(engine) as session:
        yield session  # expect: SW001


def get_request_db(request: Request) -> Session:
    session = request.state.db
    return session


def session_for_scripts() -> Session:
    return SessionLocal()


class Provider:
    def __call__(self) -> Iterator[Session]:
        with SessionLocal() as session:
            yield session  # expect: SW001


DbDep = Annotated[Session, Depends(get_db)]


@app.get("/a")
def a(
    db: DbDep,
    inline: Session = Depends(get_inline),
    closed: Session = Depends(get_closed),
    request_db: Session = Depends(get_request_db),
    provided: Session = Depends(Provider()),
):
    return []
