"""The stock API (SPEC §16): registers its viewsets on the API router when imported."""
