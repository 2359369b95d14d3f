"""The use cases: the one layer between the faces (CLI, web) and the core and store."""
