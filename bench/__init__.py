"""`make bench`: time the resident pages against a trivial view on a real server.

Run `python -m bench --help` for the options. The benchmark has its own database (a
SQLite file under var/bench/, or --database-url), fills it with `fangyi demo`, starts
gunicorn with one worker and reports the median times as JSON on stdout.
"""
