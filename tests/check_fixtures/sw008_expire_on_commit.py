from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import sessionmaker

engine = create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)
Expiring = async_sessionmaker(engine)  # expect: SW008
OldStyle = sessionmaker(engine, class_=AsyncSession)  # expect: SW008
direct = AsyncSession(engine)  # expect: SW008
Kept = async_sessionmaker(engine, expire_on_commit=False)
