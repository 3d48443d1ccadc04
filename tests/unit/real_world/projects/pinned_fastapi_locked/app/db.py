from typing import Annotated

from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session, sessionmaker

SessionLocal = sessionmaker()
app = FastAPI()


def get_db():
    with SessionLocal() as db:
        yield db
        db.commit()


DbDep = Annotated[Session, Depends(get_db)]


@app.post("/items")
def create_item(db: DbDep):
    return {}
