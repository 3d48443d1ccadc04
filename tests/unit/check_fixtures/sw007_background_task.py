from fastapi import BackgroundTasks, Depends, FastAPI
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("postgresql://db/app", pool_pre_ping=True)
SessionLocal = sessionmaker(engine)
app = FastAPI()


def get_db():
    with SessionLocal() as db:
        yield db


def send_receipt(db: Session, order_id: int) -> None: ...


def send_receipt_by_id(order_id: int) -> None: ...


@app.post("/orders/{order_id}")
def place(order_id: int, tasks: BackgroundTasks, db: Session = Depends(get_db)):
    tasks.add_task(send_receipt, db, order_id)  # expect: SW007
    tasks.add_task(send_receipt, db=db, order_id=order_id)  # expect: SW007
    tasks.add_task(send_receipt_by_id, order_id)
    return {}
