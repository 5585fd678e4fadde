"""The app's dashboard panels and navigation entries (filled in with the pages)."""


def register() -> None:
    return None
