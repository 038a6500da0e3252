"""The demo subdistrict 普东街 (北辰区, 天津市), as in the news report in seed/000_*.txt: its
organisation and accounts (`org`), a synthetic register (`population`, with ID numbers
in a real mix from `idnumbers`) and a vaccination drive in progress (`drive` for the
doses and statuses, `fieldwork` for outreach, appointments, routes, observations and
adverse events). `fangyi demo` runs them all.
"""
