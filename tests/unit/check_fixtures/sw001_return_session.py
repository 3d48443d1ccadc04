from fastapi import Depends, FastAPI
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("postgresql+psycopg://db/app", pool_pre_ping=True)
SessionLocal = sessionmaker(bind=engine)
app = FastAPI()


def get_db():
    db = SessionLocal()
    return db  # expect: SW001


def get_db_inline():
    return SessionLocal()  # expect: SW001


def make_report_session():
    # Not a dependency: a helper that hands a session to code that closes it.
    return SessionLocal()


@app.get("/users")
def list_users(db: Session = Depends(get_db), other: Session = Depends(get_db_inline)):
    return []
