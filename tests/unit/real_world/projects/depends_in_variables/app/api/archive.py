from fastapi import APIRouter, Depends
from sqlmodel import select

from app import providers
from app.database import Board, open_session

router = APIRouter(prefix="/archive")
ArchiveSession = Depends(open_session)


@router.get("/")
async def archived(session = ArchiveSession):  # expect: SW003
    return session.exec(select(Board)).all()


@router.get("/count")
async def count(session = providers.BoardSession):  # expect: SW003
    return len(session.exec(select(Board)).all())


@router.delete("/")
def purge(session = ArchiveSession):
    for board in session.exec(select(Board)).all():
        session.delete(board)
    session.commit()


@router.get("/settings")
async def archive_settings(settings = providers.CurrentSettings):
    return {"page_size": settings.page_size}
