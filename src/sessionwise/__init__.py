"""sessionwise: FastAPI services whose database sessions are right from the first commit."""
