"""The web face: FastAPI app, pages and REST API over triplane.service (see app.py)."""
