"""Forms of the commission pages: runs and periods, statements and disputes."""
