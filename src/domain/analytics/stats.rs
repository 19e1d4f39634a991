//! The statistics the analytics page needs: a Wilson interval for a rate and two-sided tests
//! for a difference in rates or means. Written here because these three formulas are all we
//! need and a statistics crate would be a large dependency for them.

/// 1.96: the two-sided 95% quantile of the standard normal.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The 95% Wilson score interval for `successes` out of `trials`; `None` when there are no
/// trials. Unlike the normal ("Wald") interval it stays inside [0, 1] and behaves at 0 and n.
pub fn wilson(successes: i64, trials: i64) -> Option<(f64, f64)> {
    if trials <= 0 {
        return None;
    }
    let n = trials as f64;
    let p = (successes.clamp(0, trials) as f64) / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((center - half).max(0.0), (center + half).min(1.0)))
}

/// Standard normal CDF via erfc (Numerical Recipes' Chebyshev fit, |error| < 1.2e-7).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Two-sided p-value of a z statistic.
pub fn two_sided_p(z: f64) -> f64 {
    (2.0 * (1.0 - normal_cdf(z.abs()))).clamp(0.0, 1.0)
}

/// A test of B against A: the difference (B − A) and its two-sided p-value.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Comparison {
    pub diff: f64,
    pub p_value: f64,
}

/// Pooled two-proportion z-test of `x_b / n_b` against `x_a / n_a`.
pub fn two_proportions(x_a: i64, n_a: i64, x_b: i64, n_b: i64) -> Option<Comparison> {
    if n_a <= 0 || n_b <= 0 {
        return None;
    }
    let (pa, pb) = (x_a as f64 / n_a as f64, x_b as f64 / n_b as f64);
    let pooled = (x_a + x_b) as f64 / (n_a + n_b) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / n_a as f64 + 1.0 / n_b as f64)).sqrt();
    let p_value = if se > 0.0 {
        two_sided_p((pb - pa) / se)
    } else {
        1.0
    };
    Some(Comparison {
        diff: pb - pa,
        p_value,
    })
}

/// A sample summarised by count, sum and sum of squares (what the rollups keep).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moments {
    pub n: i64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl Moments {
    pub fn mean(&self) -> f64 {
        if self.n > 0 {
            self.sum / self.n as f64
        } else {
            0.0
        }
    }
    /// Unbiased sample variance.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let n = self.n as f64;
        ((self.sum_sq - self.sum * self.sum / n) / (n - 1.0)).max(0.0)
    }
}

/// Welch's test of mean B against mean A with the normal approximation, which is what the
/// page uses only once each arm has enough customers for it to hold (see `MIN_ARM`).
pub fn two_means(a: Moments, b: Moments) -> Option<Comparison> {
    if a.n < 2 || b.n < 2 {
        return None;
    }
    let se = (a.variance() / a.n as f64 + b.variance() / b.n as f64).sqrt();
    let diff = b.mean() - a.mean();
    let p_value = if se > 0.0 {
        two_sided_p(diff / se)
    } else if diff == 0.0 {
        1.0
    } else {
        0.0
    };
    Some(Comparison { diff, p_value })
}
