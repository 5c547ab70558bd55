#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A lognormal distribution fitted to observed durations (the mean and spread of their
/// logarithms): the usual shape of service times, skewed with a long right tail. The forecast
/// uses it where a list of observations cannot answer: how much longer a visit that has
/// already outlasted nearly all recorded ones will go on.
struct LogNormalFit: Equatable, Sendable {
    /// Mean and standard deviation of the log of the duration (seconds).
    var mu: Double
    var sigma: Double

    /// Spread assumed when the observations barely differ (a σ of 0 would say "exactly this
    /// long", which no service is).
    static let minimumSigma = 0.1

    /// The fit of `samples` (seconds; those under a second are left out), or nil with fewer than
    /// `minimum` of them.
    init?(_ samples: [Double], minimum: Int) {
        var n = 0.0, sum = 0.0, squares = 0.0
        for s in samples where s >= 1 {
            let l = Glibc.log(s)
            n += 1; sum += l; squares += l * l
        }
        guard n >= Double(max(minimum, 2)) else { return nil }
        mu = sum / n
        sigma = max(Self.minimumSigma, (max(0, squares - n * mu * mu) / (n - 1)).squareRoot())
    }

    init(mu: Double, sigma: Double) { self.mu = mu; self.sigma = sigma }

    /// A duration drawn from the fit.
    func draw(_ rng: inout SplitMix64) -> Double {
        Glibc.exp(mu + sigma * StandardNormal.quantile(StandardNormal.open(rng.unit())))
    }

    /// The remaining time of a duration that has lasted `elapsed` seconds so far: a draw from the
    /// fit conditioned on being longer than `elapsed`, less `elapsed`. Drawn by inverting the
    /// upper tail (the survival function), so a visit far in the tail still gets an honest draw
    /// rather than a rounding error.
    func residual(after elapsed: Double, _ rng: inout SplitMix64) -> Double {
        guard elapsed >= 1 else { return draw(&rng) }
        let z0 = (Glibc.log(elapsed) - mu) / sigma
        let survival = StandardNormal.survival(z0)
        guard survival > 1e-300 else { return elapsed * sigma * sigma / max(z0, 1) }
        // A survival share s uniform on (0, S(elapsed)]: z = Φ⁻¹(1 − s) = −Φ⁻¹(s).
        let s = survival * StandardNormal.open(rng.unit())
        let z = max(z0, -StandardNormal.quantile(s))
        return max(0, Glibc.exp(mu + sigma * z) - elapsed)
    }
}

/// The standard normal distribution's tail and quantile, for `LogNormalFit`.
enum StandardNormal {
    /// P(Z > z).
    static func survival(_ z: Double) -> Double { 0.5 * Glibc.erfc(z / 2.0.squareRoot()) }

    /// A unit draw moved off 0 and 1, where the quantile is infinite.
    static func open(_ u: Double) -> Double { min(max(u, 1e-16), 1 - 1e-16) }

    /// Φ⁻¹(p) for 0 < p < 1: Acklam's rational approximation (relative error below 1.2e-9),
    /// the lower tail by symmetry so small tail shares keep their precision.
    static func quantile(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        if p < low {
            let q = (-2 * Glibc.log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low { return -quantile(1 - p) }
        let q = p - 0.5, r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
