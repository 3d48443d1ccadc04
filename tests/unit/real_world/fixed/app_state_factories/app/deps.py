from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    session: AsyncSession = request.app.state.session_factory()
    try:
        yield session
    finally:
        await session.commit()  # expect: SW006
        await session.close()


async def get_transaction(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.session_factory() as session:
        yield session
        await session.commit()


async def get_reader(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.session_factory() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
TransactionDep = Annotated[AsyncSession, Depends(get_transaction, scope="function")]
ReaderDep = Annotated[AsyncSession, Depends(get_reader)]
