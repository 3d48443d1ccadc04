from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.session import create_session, create_session_async, read_only_session, session_generator


def get_session() -> Iterator[Session]:
    with create_session() as session:  # expect: SW006
        yield session


async def get_async_session() -> AsyncIterator[AsyncSession]:
    async with create_session_async() as session:  # expect: SW006
        yield session


async def get_read_session() -> AsyncIterator[AsyncSession]:
    async with read_only_session() as session:
        yield session


def get_db() -> Iterator[Session]:
    yield from session_generator()  # expect: SW006


def get_db_early() -> Iterator[Session]:
    yield from session_generator()


async def get_repository(session: AsyncSession = Depends(get_read_session)):
    async with session.begin():  # expect: SW006
        yield Repository(session)


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
AsyncSessionDep = Annotated[AsyncSession, Depends(get_async_session, scope="function")]
ReadDep = Annotated[AsyncSession, Depends(get_read_session)]
DbDep = Annotated[Session, Depends(get_db, scope="function")]
EarlyDep = Annotated[Session, Depends(get_db_early, scope="function")]
RepositoryDep = Annotated[Repository, Depends(get_repository, scope="function")]
