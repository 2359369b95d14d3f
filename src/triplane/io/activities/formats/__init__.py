"""One module per activity format; each registers itself (see ``registry.py``).

The import below is the list: its order is the sniff order. A new format is a new module here
and its name added to this line.
"""

from triplane.io.activities.formats import fit, gpx, tcx  # noqa: F401
