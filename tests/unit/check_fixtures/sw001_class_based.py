from fastapi import Depends, FastAPI
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

engine = create_engine("postgresql://db/app", pool_pre_ping=True)
app = FastAPI()


class SessionProvider:
    def __call__(self) -> Session:
        return Session(engine)  # expect: SW001


class ClosingProvider:
    def __call__(self):
        with Session(engine) as session:
            yield session


@app.get("/a")
def a(db: Session = Depends(SessionProvider()), other: Session = Depends(ClosingProvider())):
    return []
