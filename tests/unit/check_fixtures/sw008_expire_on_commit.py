"""Factories nothing reads through after a commit: expire_on_commit does not matter here."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import sessionmaker

engine = create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)
Expiring = async_sessionmaker(engine)
OldStyle = sessionmaker(engine, class_=AsyncSession)
direct = AsyncSession(engine)
Kept = async_sessionmaker(engine, expire_on_commit=False)
