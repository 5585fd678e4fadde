"""Demo data of rebates (being written)."""


def demo_step(context: dict) -> str:
    return ""
