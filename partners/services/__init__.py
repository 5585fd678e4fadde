"""Writes for partners: territories, dealers (with reviews) and agreements. Every function is atomic."""
