"""The readiness rubric is deterministic and does what docs/grading.md says."""

from oc_scale_mcp.analysis.grading import grade_layer, overall_grade
from oc_scale_mcp.core.models import Finding, Layer, Severity


def f(kind: str, severity: Severity, layer: Layer = Layer.DATABASE) -> Finding:
    return Finding(id=kind, layer=layer, severity=severity, title=kind, evidence="x")


def test_a_clean_layer_is_an_a_and_an_unchecked_one_is_not_graded():
    assert grade_layer(Layer.API, [], True).grade == "A"
    assert grade_layer(Layer.API, [], False).grade == "—"


def test_points_follow_severities_and_repeats_of_a_kind_count_three_times_at_most():
    assert grade_layer(Layer.DATABASE, [f("a", Severity.HIGH), f("b", Severity.MEDIUM)], True).points == 79
    many = [f("sql.select-star", Severity.LOW)] * 10
    assert grade_layer(Layer.DATABASE, many, True).points == 94


def test_a_critical_finding_caps_the_layer_at_d():
    graded = grade_layer(Layer.INFRASTRUCTURE, [f("x", Severity.CRITICAL, Layer.INFRASTRUCTURE)], True)
    assert graded.points == 60 and graded.grade == "D" and "caps the layer at D" in graded.capped


def test_the_overall_grade_is_held_near_the_weakest_layer():
    strong = grade_layer(Layer.API, [], True)
    weak = grade_layer(Layer.DATABASE, [f(str(i), Severity.HIGH) for i in range(5)], True)  # 25 points: F
    grade, why = overall_grade([strong, strong, strong, strong, weak])
    assert weak.grade == "F" and grade == "D" and "weakest layer" in why


def test_the_same_findings_always_give_the_same_grade():
    findings = [f("a", Severity.MEDIUM), f("b", Severity.LOW), f("c", Severity.HIGH)]
    assert grade_layer(Layer.DATABASE, findings, True) == grade_layer(Layer.DATABASE, list(reversed(findings)), True)
