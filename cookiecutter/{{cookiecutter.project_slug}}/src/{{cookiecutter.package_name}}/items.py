{% set package_name = cookiecutter.package_name %}
{% set transaction_policy = cookiecutter.transaction_policy %}
{% set mode = cookiecutter.mode %}
{% set is_async = mode == 'async' %}
{% set aw = "await " if is_async else "" %}
{% set fn = "async def" if is_async else "def" %}
{% set session_type = "AsyncSession" if is_async else "Session" %}
{% if transaction_policy == "explicit" %}
{% set write = "commit" %}
{% else %}
{% set write = "flush" %}
{% endif %}
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
{% if is_async %}
from sqlalchemy.ext.asyncio import AsyncSession
{% else %}
from sqlalchemy.orm import Session
{% endif %}

from {{ package_name }}.db import SessionDep
from {{ package_name }}.models import MAX_ID, Item
from {{ package_name }}.responses import (
    NAME_TAKEN,
    NOT_FOUND,
    POOL_BUSY,
    STORE_FAILED,
    UNREADABLE_BODY,
)
from {{ package_name }}.schemas import ItemCreate, ItemRead

router = APIRouter(prefix="/items", tags=["items"], responses=POOL_BUSY)

# Ids and offsets that the id column can hold: a larger number is a 422 that says so,
# where the database would fail on it (a 500).
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ItemRead,
    responses=UNREADABLE_BODY | NAME_TAKEN | STORE_FAILED,
)
{{ fn }} create_item(payload: ItemCreate, session: SessionDep) -> Item:
    item = Item(**payload.model_dump())
    session.add(item)
    try:
        {{ aw }}session.{{ write }}()
    except IntegrityError:
        raise name_taken(payload.name) from None
    return item


@router.get("", response_model=list[ItemRead])
{{ fn }} list_items(
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Sequence[Item]:
    query = select(Item).order_by(Item.id).offset(offset).limit(limit)
    return ({{ aw }}session.scalars(query)).all()


@router.get("/{item_id}", response_model=ItemRead, responses=NOT_FOUND)
{{ fn }} read_item(item_id: ItemId, session: SessionDep) -> Item:
    return {{ aw }}get_item_or_404(session, item_id)


@router.put(
    "/{item_id}",
    response_model=ItemRead,
    responses=UNREADABLE_BODY | NOT_FOUND | NAME_TAKEN | STORE_FAILED,
)
{% if is_async %}
async def replace_item(
    item_id: ItemId, payload: ItemCreate, session: SessionDep
) -> Item:
{% else %}
def replace_item(item_id: ItemId, payload: ItemCreate, session: SessionDep) -> Item:
{% endif %}
    item = {{ aw }}get_item_or_404(session, item_id)
    item.name = payload.name
    item.description = payload.description
    try:
        {{ aw }}session.{{ write }}()
    except IntegrityError:
        raise name_taken(payload.name) from None
    return item


@router.delete(
    "/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND | STORE_FAILED,
)
{{ fn }} delete_item(item_id: ItemId, session: SessionDep) -> None:
    item = {{ aw }}get_item_or_404(session, item_id)
    {{ aw }}session.delete(item)
{% if transaction_policy == "explicit" %}
    {{ aw }}session.commit()
{% endif %}


{{ fn }} get_item_or_404(session: {{ session_type }}, item_id: int) -> Item:
    item = {{ aw }}session.get(Item, item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"item {item_id} not found")
    return item


def name_taken(name: str) -> HTTPException:
    return HTTPException(
        status.HTTP_409_CONFLICT, f"an item named {name!r} already exists"
    )
