from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# The sizes of the columns, which the API's validation keeps requests within.
# An INTEGER holds up to 2**31 - 1 on PostgreSQL and MySQL (SQLite holds more).
MAX_ID = 2**31 - 1
NAME_LENGTH = 100
DESCRIPTION_LENGTH = 500


class Base(DeclarativeBase):
    # Named constraints let Alembic migrations drop and alter them on every database.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    description: Mapped[str | None] = mapped_column(String(DESCRIPTION_LENGTH))
