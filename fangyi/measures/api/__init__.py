"""The measures API: one router per subject (intake, cases, monitoring, day), each
registered in fangyi/api/api.py under /measures."""
