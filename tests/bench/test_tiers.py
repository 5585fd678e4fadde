"""``make bench SCALE=10``: a tier's figures compared with ×1's (``bench.__main__.tier_summary``)."""

from bench.__main__ import tier_summary, tier_table


def _page(name, role, p95, queries, ok=True):
    return {"name": name, "role": role, "p95_ms": p95, "queries": queries, "ok": ok}


def _run(product, floor, reps):
    return {"product": {"median_s": product}, "floor": {"median_s": floor}, "ratio": product / floor, "reps": reps}


def test_a_tier_is_compared_with_the_first():
    results = {
        "scale_1": {"run": _run(0.5, 0.2, 500), "pages": [_page("dashboard", "finance", 40.0, 11)]},
        "scale_10": {
            "run": _run(4.0, 1.6, 5000),
            "pages": [_page("dashboard", "finance", 120.0, 11), _page("compliance", "admin", 200.0, 16, ok=False)],
        },
    }
    summary = tier_summary(results, 10)
    # 4.0 s at ×10 against 0.5 s at ×1: 8 times (goal ≤ 11); 4.0 / 1.6 = 2.5 from the floor
    assert (summary["run_growth"], summary["run_ratio"]) == (8.0, 2.5)
    assert summary["pages"][0] == {
        "name": "dashboard",
        "role": "finance",
        "p95_ms": 120.0,
        "p95_ms_1x": 40.0,
        "queries": 11,
        "queries_1x": 11,
        "ok": True,
    }
    assert summary["pages"][1]["p95_ms_1x"] is None  # not measured at ×1
    assert (summary["pages_missed"], summary["queries_differ"]) == (1, [])
    results["tiers"] = {"10": summary}
    text = tier_table(results, 10)
    assert "growth from ×1 8.00 (goal ≤ 11)" in text and "MISSED" in text
