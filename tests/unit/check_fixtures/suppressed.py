from sqlalchemy import create_engine

legacy = create_engine("postgresql://db/legacy")  # sessionwise: ignore[SW004]
everything = create_engine("postgresql://db/other")  # sessionwise: ignore
other_code = create_engine("postgresql://db/x")  # sessionwise: ignore[SW001]  # expect: SW004
