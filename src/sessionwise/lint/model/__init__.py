"""What the checker knows about the project: its files and module names (`project`), what each
module says (`summary`), the whole project's index (`index`), what an expression is statically
(`resolve`, `values`), the FastAPI version it pins (`pins`), and the view of one checked file
the rules ask (`context`)."""
