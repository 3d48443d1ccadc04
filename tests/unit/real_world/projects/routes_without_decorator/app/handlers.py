from fastapi import Depends
from sqlalchemy.orm import Session

from app.db import get_db


async def list_orders(db: Session = Depends(get_db)):  # expect: SW003
    return db.execute("SELECT 1").all()


async def count_orders(db: Session = Depends(get_db)):  # expect: SW003
    return db.execute("SELECT count(*)").scalar()


def list_invoices(db: Session = Depends(get_db)):
    return db.execute("SELECT 1").all()


async def not_registered(db: Session):
    return db
