from fastapi import APIRouter

from app.deps import SessionDep

router = APIRouter()


@router.get("/items/{item_id}")
def read_item(item_id: int, session: SessionDep) -> dict[str, int]:
    session.get(dict, item_id)
    return {"id": item_id}
