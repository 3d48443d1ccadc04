from fastapi import Depends, FastAPI, Request
from sqlalchemy.orm import Session, sessionmaker

from app.db import cached_engine, engine, get_session_factory, memoized_engine

app = FastAPI()


def get_db():
    factory = get_session_factory()  # expect: SW002
    db = factory()
    try:
        yield db
    finally:
        db.close()


def get_tenant_db(tenant: str):
    tenant_engine = engine.execution_options(schema_translate_map={None: tenant})
    db = sessionmaker(bind=tenant_engine)()
    try:
        yield db
    finally:
        db.close()


def get_cached_db():
    db = Session(cached_engine())
    try:
        yield db
    finally:
        db.close()


def get_memoized_db():
    with Session(memoized_engine()) as db:
        yield db


@app.middleware("http")
async def per_request_sessionmaker(request: Request, call_next):
    request.state.db = sessionmaker(bind=engine)()
    try:
        return await call_next(request)
    finally:
        request.state.db.close()


@app.get("/items")
def items(
    a: Session = Depends(get_db),
    b: Session = Depends(get_tenant_db),
    c: Session = Depends(get_cached_db),
    d: Session = Depends(get_memoized_db),
):
    return []
