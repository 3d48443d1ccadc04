from fastapi import Depends, Query
from sqlmodel import Session

from app.database import open_session
from app.settings import get_settings

BoardSession: Session = Depends(open_session)
CurrentSettings = Depends(get_settings)


def paging(offset: int = Query(0), limit: int = Query(20)) -> tuple[int, int]:
    return offset, limit


Paging = Depends(paging)
