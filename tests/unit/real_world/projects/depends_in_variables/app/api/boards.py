from fastapi import APIRouter, HTTPException
from sqlmodel import select

from app.api import BoardSession, CurrentSettings, Paging
from app.database import Board

router = APIRouter(prefix="/boards")


@router.get("/")
async def list_boards(session = BoardSession):  # expect: SW003
    return session.exec(select(Board)).all()


@router.get("/{board_id}")
async def show_board(board_id: int, session = BoardSession):  # expect: SW003
    board = session.get(Board, board_id)
    if board is None:
        raise HTTPException(status_code=404)
    return board


@router.put("/{board_id}")
async def rename_board(
    board_id: int,
    title: str,
    session = BoardSession,  # expect: SW003
):
    board = session.get(Board, board_id)
    board.title = title
    session.add(board)
    session.commit()
    return board


@router.get("/titles")
async def titles(settings = CurrentSettings, page = Paging):
    offset, limit = page
    return {"limit": min(limit, settings.page_size), "offset": offset}


@router.post("/")
def create_board(title: str, session = BoardSession):
    board = Board(title=title)
    session.add(board)
    session.commit()
    return board
