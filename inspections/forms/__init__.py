"""Forms of the inspection pages (``inspections.views``): planning and performing inspections, answering and
deciding rectifications, recording and handling complaints."""
