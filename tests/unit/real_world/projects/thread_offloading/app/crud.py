from sqlalchemy.orm import Session


def list_items(db: Session) -> list[dict[str, int]]:
    return [dict(row) for row in db.execute("SELECT id FROM items")]
