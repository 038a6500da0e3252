"""The measures API, one Router per subject (each registered in fangyi/api/api.py)."""
