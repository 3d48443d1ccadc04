from fastapi import APIRouter, BackgroundTasks

from app.deps import Limit, RepositoryDep, SessionDep, SessionLocal, Slug

router = APIRouter()


def reindex(slug: str, limit: int) -> None:
    with SessionLocal() as session:
        session.execute("SELECT 1")


def reindex_with(session, slug: str) -> None:
    session.execute("SELECT 1")


@router.post("/pages/{slug}")
def publish(slug: Slug, limit: Limit, session: SessionDep, tasks: BackgroundTasks):
    tasks.add_task(reindex, slug, limit)
    tasks.add_task(reindex_with, session, slug)  # expect: SW007
    tasks.add_task(reindex_with, session=session, slug=slug)  # expect: SW007
    return {}


@router.post("/pages/{slug}/copy")
def copy(slug: Slug, repository: RepositoryDep, tasks: BackgroundTasks):
    tasks.add_task(reindex, slug, 1)
    return {}
