"""The readiness rubric: how findings become a grade per layer, the overall grade, and what it can handle.
Deterministic: the same findings always give the same grades (docs/grading.md explains it)."""

from dataclasses import dataclass

from oc_scale_mcp.core.models import Finding, Layer, Severity

POINTS = {Severity.CRITICAL: 40, Severity.HIGH: 15, Severity.MEDIUM: 6, Severity.LOW: 2}
MAX_COUNTED_PER_KIND = 3  # the 4th SELECT * tells nothing the 3rd did not
GRADE_FLOORS = ((90, "A"), (75, "B"), (60, "C"), (40, "D"))
GRADES = "ABCDF"
CAN_HANDLE = {
    "A": "10K+ concurrent users",
    "B": "1K-10K concurrent users",
    "C": "100-1K concurrent users",
    "D": "1-100 concurrent users",
    "F": "Will break under real load",
}
MEANING = {
    "A": "Production-ready at scale",
    "B": "Ready for moderate traffic",
    "C": "Works for small teams",
    "D": "Works for personal use",
    "F": "Has scaling blockers",
}


def grade_for_points(points: float) -> str:
    """
    >>> [grade_for_points(p) for p in (100, 90, 89, 75, 60, 40, 39)]
    ['A', 'A', 'B', 'B', 'C', 'D', 'F']
    """
    return next((grade for floor, grade in GRADE_FLOORS if points >= floor), "F")


@dataclass(frozen=True, slots=True)
class LayerGrade:
    layer: Layer
    checked: bool
    points: int
    grade: str  # "—" when not checked
    capped: str  # why the grade is lower than the points say, if it is


def grade_layer(layer: Layer, findings: list[Finding], checked: bool) -> LayerGrade:
    if not checked:
        return LayerGrade(layer, False, 0, "—", "")
    counted: dict[str, int] = {}
    deduction = 0
    for f in sorted(findings, key=lambda f: list(POINTS).index(f.severity)):
        counted[f.id] = counted.get(f.id, 0) + 1
        if counted[f.id] <= MAX_COUNTED_PER_KIND:
            deduction += POINTS[f.severity]
    points = max(0, 100 - deduction)
    grade, capped = grade_for_points(points), ""
    if any(f.severity is Severity.CRITICAL for f in findings) and GRADES.index(grade) < GRADES.index("D"):
        grade, capped = "D", "a CRITICAL finding caps the layer at D"
    return LayerGrade(layer, True, points, grade, capped)


def overall_grade(layers: list[LayerGrade]) -> tuple[str, str]:
    """Mean points of the checked layers, but no more than one grade above the weakest layer
    (a system is as ready as its weakest layer allows). Returns (grade, why)."""
    checked = [layer for layer in layers if layer.checked]
    if not checked:
        return "—", "no layer could be checked"
    mean = sum(layer.points for layer in checked) / len(checked)
    grade = grade_for_points(mean)
    worst = max((layer.grade for layer in checked), key=GRADES.index)
    ceiling = GRADES[max(0, GRADES.index(worst) - 1)]
    if GRADES.index(grade) < GRADES.index(ceiling):
        return ceiling, f"mean {mean:.0f} points, held to one grade above the weakest layer ({worst})"
    return grade, f"mean {mean:.0f} points over {len(checked)} checked layers"
