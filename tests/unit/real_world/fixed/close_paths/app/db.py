import os

from fastapi import Depends, FastAPI
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
SessionLocal = sessionmaker(bind=engine)
app = FastAPI()


def closes_only_on_error():
    db = SessionLocal()
    try:
        yield db  # expect: SW005
    except Exception:
        db.rollback()
        raise
    finally:
        db.close()


def closes_after():
    db = SessionLocal()
    try:
        yield db  # expect: SW005
    finally:
        db.close()


def never_closes():
    db = SessionLocal()
    try:
        yield db  # expect: SW005
    except Exception:
        db.rollback()
        raise
    finally:
        db.close()


def closes_in_finally():
    db = SessionLocal()
    try:
        yield db
    except Exception:
        db.rollback()
        raise
    finally:
        db.close()


def closes_with_block():
    with SessionLocal() as db:
        yield db


def hands_on_a_request_session(request_db: Session = Depends(closes_in_finally)):
    yield request_db


@app.get("/x")
def x(
    a: Session = Depends(closes_only_on_error),
    b: Session = Depends(closes_after),
    c: Session = Depends(never_closes),
    d: Session = Depends(closes_with_block),
    e: Session = Depends(hands_on_a_request_session),
):
    return []
