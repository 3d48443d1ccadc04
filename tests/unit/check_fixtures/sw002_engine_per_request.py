from fastapi import Depends, FastAPI, Request
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

app = FastAPI()


def get_db():
    engine = create_engine("postgresql://db/app", pool_pre_ping=True)  # expect: SW002
    factory = sessionmaker(bind=engine)  # expect: SW002
    db = factory()
    try:
        yield db
    finally:
        db.close()


@app.get("/items")
def items(db: Session = Depends(get_db)):
    return []


@app.post("/reports")
def report():
    engine = create_engine("postgresql://db/app", pool_pre_ping=True)  # expect: SW002
    with engine.connect():
        return {}


@app.middleware("http")
async def audit(request: Request, call_next):
    engine = create_engine("postgresql://db/audit", pool_pre_ping=True)  # expect: SW002
    engine.dispose()
    return await call_next(request)


def build_engine_for_scripts():
    # Called once by a CLI script, not per request.
    return create_engine("postgresql://db/app", pool_pre_ping=True)
