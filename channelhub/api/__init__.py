"""The REST API frame (SPEC §8): router, authentication, pagination, errors, scoping."""
