"""The measures pages, one module per subject (each module's views are named in urls.py)."""
