"""``evaluation.registry.register_indicator_rules``: several rules of one framework at once."""

from __future__ import annotations

from etam.evaluation import registry


def test_register_indicator_rules_registers_each_rule_for_the_framework(monkeypatch):
    monkeypatch.setattr(registry, "_RULES", {})

    def suggest(evaluation, indicator):
        return None

    registry.register_indicator_rules("kerangka-uji", [(3, "uji.tiga", suggest), (1, "uji.satu", suggest)])
    assert [(r.framework_code, r.indicator_number, r.code, r.suggest) for r in registry.registered_rules()] == [
        ("kerangka-uji", 1, "uji.satu", suggest),
        ("kerangka-uji", 3, "uji.tiga", suggest),
    ]
    assert [r.label for r in registry.registered_rules()] == ["", ""]


def test_register_indicator_rules_takes_an_optional_label(monkeypatch):
    monkeypatch.setattr(registry, "_RULES", {})

    def suggest(evaluation, indicator):
        return None

    registry.register_indicator_rules(
        "kerangka-uji", [(2, "uji.dua", suggest, "Dua dari register"), (4, "uji.empat", suggest)]
    )
    assert [(r.code, r.label) for r in registry.registered_rules()] == [
        ("uji.dua", "Dua dari register"),
        ("uji.empat", ""),
    ]


def test_proposal_to_page_links_the_named_page():
    proposal = registry.Proposal.to_page(2, "Dua dari tiga", "Register risiko", "governance:risk_list")
    assert proposal == registry.Proposal(
        level=2, rationale="Dua dari tiga", links=(("Register risiko", "/staf/tata-kelola/risiko/"),)
    )
