from app.db import session_for_scripts


def main() -> None:
    session = session_for_scripts()
    try:
        session.execute("SELECT 1")
    finally:
        session.close()
