from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session as S
from sqlalchemy.orm import sessionmaker as maker

engine = sa.create_engine("mysql+pymysql://root@db/app", pool_pre_ping=True)
Local = maker(engine)
app = FastAPI()


def get_db():
    session = Local()
    return session  # expect: SW001


DB = Annotated[S, Depends(get_db)]


@app.get("/orders")
def orders(db: DB):
    return []
