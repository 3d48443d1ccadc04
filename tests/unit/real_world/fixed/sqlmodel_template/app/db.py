from sqlmodel import Session, create_engine

from app.config import settings

engine = create_engine(str(settings.DATABASE_URI), pool_pre_ping=True)  # expect: SW004


def init_db(session: Session) -> None:
    session.exec("SELECT 1")
