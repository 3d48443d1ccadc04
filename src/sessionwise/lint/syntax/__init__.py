"""Reading Python source: parsing any Python version's syntax (`parse`, with `downlevel` for
syntax newer than the running Python), and general helpers on `ast` trees (`nodes`). Nothing
here knows FastAPI or SQLAlchemy."""
