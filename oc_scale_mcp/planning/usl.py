"""The Universal Scalability Law, fitted to throughput measured at several concurrency levels.

    X(N) = λN / (1 + σ(N−1) + κN(N−1))

σ (contention) and κ (coherency) are bounded to [0, 1] and λ to [0, ∞), fitted by bounded nonlinear
least squares on the raw throughput, from the same start as R's `usl` package (λ = max X/N, σ = 0.01,
κ = 1e-4), so the published fits are reproduced (tests: `shared/data/usl/published_fits.json`).
An unbounded fit can drift to κ < 0 on real data and report nonsense; a bounded κ = 0 means no
coherency penalty: then there is no peak, only the Amdahl ceiling λ/σ.

>>> fit = fit_usl([1, 18, 36, 72, 108, 144, 216], [64.9, 995.9, 1652.4, 1853.2, 1828.9, 1775.0, 1702.2])
>>> round(fit.sigma, 5), round(fit.kappa, 7), round(fit.lambda_, 3), round(fit.peak_concurrency, 2)
(0.02773, 0.0001044, 89.995, 96.52)
"""

import math
from dataclasses import dataclass, field

from oc_scale_mcp.core.errors import InputError

MIN_POINTS_FOR_CONFIDENCE = 6
BOUND_SNAP = 1e-12


@dataclass(frozen=True, slots=True)
class UslModel:
    """A USL model (fitted or given); everything derived from σ, κ, λ."""

    sigma: float
    kappa: float
    lambda_: float

    def throughput(self, n: float) -> float:
        return self.lambda_ * n / (1 + self.sigma * (n - 1) + self.kappa * n * (n - 1))

    def latency(self, n: float) -> float:
        """Mean response time at concurrency n by Little's law, R = N / X(N), in the reciprocal of X's unit."""
        return (1 + self.sigma * (n - 1) + self.kappa * n * (n - 1)) / self.lambda_

    @property
    def peak_concurrency(self) -> float | None:
        """N* = √((1−σ)/κ), where throughput peaks; None when κ = 0 (throughput never falls)."""
        return math.sqrt((1 - self.sigma) / self.kappa) if self.kappa > 0 else None

    @property
    def peak_throughput(self) -> float | None:
        n = self.peak_concurrency
        return self.throughput(n) if n is not None else None

    @property
    def limit_throughput(self) -> float | None:
        """λ/σ, the Amdahl ceiling that throughput approaches (without coherency); None when σ = 0."""
        return self.lambda_ / self.sigma if self.sigma > 0 else None

    @property
    def optimal_concurrency(self) -> float | None:
        """1/σ, where the linear bound λN meets the ceiling λ/σ (R usl's optimal.scalability)."""
        return 1 / self.sigma if self.sigma > 0 else None

    @property
    def max_throughput(self) -> float:
        """The highest throughput the model allows: at N* if κ > 0, else the Amdahl ceiling (or ∞)."""
        peak = self.peak_throughput
        if peak is not None:
            return peak
        return self.limit_throughput if self.limit_throughput is not None else math.inf

    def concurrency_at_throughput(self, x: float) -> float | None:
        """The smallest N with X(N) = x (exact quadratic, κ included); None when x is out of reach."""
        # κx N² + (σx − κx − λ) N + x(1 − σ) = 0
        a, b, c = self.kappa * x, self.sigma * x - self.kappa * x - self.lambda_, x * (1 - self.sigma)
        if a == 0:
            return -c / b if b < 0 else None
        disc = b * b - 4 * a * c
        if disc < 0:
            return None
        return (-b - math.sqrt(disc)) / (2 * a)

    def concurrency_at_latency(self, r: float) -> float | None:
        """N with R(N) = r: the positive root of κN² + (σ−κ)N + (1−σ−λr) = 0."""
        a, b, c = self.kappa, self.sigma - self.kappa, 1 - self.sigma - self.lambda_ * r
        if a == 0:
            return -c / b if b > 0 else None
        disc = b * b - 4 * a * c
        return (-b + math.sqrt(disc)) / (2 * a) if disc >= 0 else None


@dataclass(frozen=True, slots=True)
class UslFit(UslModel):
    std_errors: tuple[float, float, float] = (math.nan, math.nan, math.nan)  # σ, κ, λ
    residuals: tuple[float, ...] = ()
    residual_standard_error: float = math.nan
    degrees_of_freedom: int = 0
    points: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def constrained_by(self) -> str:
        """Which term dominates at the peak: `contention` (σ) or `coherency` (κ), as codahale/usl says."""
        return "contention" if self.sigma > self.kappa else "coherency"


def fit_usl(concurrency: list[float], throughput: list[float]) -> UslFit:
    """Fit σ, κ, λ to measured (N, X) points; raises `InputError` on unusable data."""
    import numpy as np
    from scipy.optimize import least_squares

    if len(concurrency) != len(throughput):
        raise InputError("concurrency and throughput must have the same number of points")
    n = np.asarray(concurrency, dtype=float)
    x = np.asarray(throughput, dtype=float)
    if len(n) < 3:
        raise InputError(
            f"a USL fit needs at least 3 measurements (got {len(n)}); run a sweep with more concurrency levels"
        )
    if not np.all(np.isfinite(n)) or not np.all(np.isfinite(x)):
        raise InputError("measurements must be finite numbers")
    if np.any(n <= 0) or np.any(x < 0):
        raise InputError("concurrency must be positive and throughput non-negative")
    if len(set(n.tolist())) < 3:
        raise InputError("a USL fit needs at least 3 distinct concurrency levels")
    if np.all(x == 0):
        raise InputError("every throughput is 0: nothing to fit (did the load test fail?)")

    def residuals(p: np.ndarray) -> np.ndarray:
        sigma, kappa, lam = p
        return lam * n / (1 + sigma * (n - 1) + kappa * n * (n - 1)) - x

    start = np.array([0.01, 1e-4, float(np.max(x / n))])
    result = least_squares(
        residuals,
        start,
        bounds=([0, 0, 0], [1, 1, np.inf]),
        method="trf",
        xtol=1e-15,
        ftol=1e-15,
        gtol=1e-15,
        max_nfev=20_000,
    )
    # the trust-region solver stays strictly inside its bounds: a value within 1e-12 of 0 is at the bound
    sigma, kappa, lam = (0.0 if abs(float(v)) < BOUND_SNAP else float(v) for v in result.x)
    rss = float(np.sum(result.fun**2))
    dof = len(n) - 3
    warnings = []
    errors = (math.nan, math.nan, math.nan)
    rse = math.sqrt(rss / dof) if dof > 0 else math.nan
    if dof > 0:
        jac = result.jac
        try:
            covariance = np.linalg.inv(jac.T @ jac) * (rss / dof)
            errors = tuple(float(math.sqrt(v)) if v >= 0 else math.nan for v in np.diag(covariance))
        except np.linalg.LinAlgError:
            warnings.append("standard errors could not be computed (singular Jacobian)")
    if len(n) < MIN_POINTS_FOR_CONFIDENCE:
        warnings.append(
            f"only {len(n)} measurements: the fit may not be accurate (use {MIN_POINTS_FOR_CONFIDENCE}+ "
            "concurrency levels)"
        )
    if kappa == 0:
        warnings.append(
            "κ is 0 (at its bound): no coherency penalty was measured, so there is no peak; the "
            "ceiling is λ/σ — measure at higher concurrency to see where throughput turns down"
        )
    if float(np.max(n)) < 0.5 * (math.sqrt((1 - sigma) / kappa) if kappa > 0 else math.inf):
        warnings.append("the predicted peak lies beyond twice the highest measured concurrency: extrapolation")
    return UslFit(
        sigma=sigma,
        kappa=kappa,
        lambda_=lam,
        std_errors=errors,  # type: ignore[arg-type]
        residuals=tuple(float(-r) for r in result.fun),
        residual_standard_error=rse,
        degrees_of_freedom=dof,
        points=len(n),
        warnings=tuple(warnings),
    )
