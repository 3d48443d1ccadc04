from collections.abc import Generator
from typing import Annotated

from fastapi import Depends, HTTPException
from sqlmodel import Session

from app.db import engine


def get_db() -> Generator[Session]:
    with Session(engine) as session:
        yield session


type SessionDep = Annotated[Session, Depends(get_db)]


def current_user(session: SessionDep, token: str) -> dict[str, str]:
    try:
        payload = decode(token)
    except ValueError, KeyError:
        raise HTTPException(status_code=403)
    return session.get(dict, payload["sub"])


def decode(token: str) -> dict[str, str]:
    return {"sub": token}
