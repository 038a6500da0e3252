"""Vaccination endpoints: the same forms, domain functions and scope as the pages.

One module per subject, each a router registered in fangyi/api/api.py: doses
(/vaccination/doses), status (/vaccination/status), products (/vaccination/products),
safety (/vaccination/observations, /vaccination/adverse-events), outreach
(/vaccination/outreach) and appointments (/vaccination/appointments, slots, routes).
"""
