{% set package_name = cookiecutter.package_name %}
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from {{ package_name }}.models import DESCRIPTION_LENGTH, NAME_LENGTH

# PostgreSQL cannot store a NUL character in text. It is refused on every database, so
# that the API means the same whichever one it runs on. (Pydantic refuses unpaired
# surrogates, which no driver can encode, in every str.)
NO_NUL = r"^[^\x00]*$"

Name = Annotated[str, Field(min_length=1, max_length=NAME_LENGTH, pattern=NO_NUL)]
Description = Annotated[str, Field(max_length=DESCRIPTION_LENGTH, pattern=NO_NUL)]


class ItemCreate(BaseModel):
    name: Name
    description: Description | None = None


class ItemUpdate(BaseModel):
    name: Name | None = None
    description: Description | None = None


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None


class Message(BaseModel):
    """An error the service reports: what went wrong, and what to do about it."""

    detail: str
