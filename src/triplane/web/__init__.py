"""The web face: FastAPI app, pages and REST API over triplane.usecases.service (see app.py)."""
