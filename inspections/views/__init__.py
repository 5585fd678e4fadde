"""The inspection pages (SPEC §17) under ``/inspections/``: inspections (``inspections``), rectifications
(``rectifications``) and complaints (``complaints``)."""
