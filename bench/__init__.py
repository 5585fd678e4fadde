"""``make bench`` (SPEC §11): the large data set, and the commission run, import and pages measured on it.

``python -m bench`` with ``DJANGO_SETTINGS_MODULE=bench.settings`` (what ``make bench`` does).
"""
