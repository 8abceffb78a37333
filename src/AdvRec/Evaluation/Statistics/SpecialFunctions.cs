namespace AdvRec.Evaluation.Statistics;

/// <summary>
/// Special functions for the tests' p-values, in double precision: log-gamma (Lanczos), the regularized
/// incomplete beta function (continued fraction, modified Lentz, as in Numerical Recipes §6.4), the regularized
/// upper incomplete gamma function (series / continued fraction, Numerical Recipes §6.2), and the tails of the
/// Student t and standard normal distributions built on them.
/// </summary>
internal static class SpecialFunctions
{
    private const double Epsilon = 1e-16;
    private const double Tiny = 1e-300;
    private const int MaxIterations = 100_000;

    // Lanczos approximation, g = 7, 9 coefficients (about 15 significant digits).
    private static readonly double[] LanczosCoefficients =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        if (!(x > 0)) throw new ArgumentOutOfRangeException(nameof(x), x, "LogGamma needs x > 0");
        if (x < 0.5) return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x); // reflection
        x -= 1;
        double sum = LanczosCoefficients[0];
        double t = x + 7.5;
        for (int i = 1; i < LanczosCoefficients.Length; i++) sum += LanczosCoefficients[i] / (x + i);
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }

    /// <summary>The regularized incomplete beta function I_x(a, b), for a, b &gt; 0 and 0 ≤ x ≤ 1.</summary>
    public static double RegularizedIncompleteBeta(double a, double b, double x) => RegularizedIncompleteBeta(a, b, x, 1 - x);

    /// <summary>
    /// I_x(a, b) where the caller also passes y = 1 − x computed without cancellation (for x close to 1).
    /// </summary>
    public static double RegularizedIncompleteBeta(double a, double b, double x, double y)
    {
        if (!(a > 0) || !(b > 0)) throw new ArgumentOutOfRangeException(nameof(a), "a and b must be positive");
        if (double.IsNaN(x) || double.IsNaN(y)) return double.NaN;
        if (x <= 0) return 0;
        if (y <= 0) return 1;
        double logFront = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(y);
        double front = Math.Exp(logFront);
        // The continued fraction converges fast for x < (a + 1) / (a + b + 2); otherwise use I_x(a, b) = 1 − I_y(b, a).
        return x < (a + 1) / (a + b + 2)
            ? front * BetaContinuedFraction(a, b, x) / a
            : 1 - front * BetaContinuedFraction(b, a, y) / b;
    }

    /// <summary>The continued fraction of the incomplete beta function (Numerical Recipes betacf), by modified Lentz.</summary>
    private static double BetaContinuedFraction(double a, double b, double x)
    {
        double qab = a + b, qap = a + 1, qam = a - 1;
        double c = 1, d = 1 - qab * x / qap;
        if (Math.Abs(d) < Tiny) d = Tiny;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= MaxIterations; m++)
        {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            if (Math.Abs(d) < Tiny) d = Tiny;
            c = 1 + aa / c;
            if (Math.Abs(c) < Tiny) c = Tiny;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            if (Math.Abs(d) < Tiny) d = Tiny;
            c = 1 + aa / c;
            if (Math.Abs(c) < Tiny) c = Tiny;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < Epsilon) return h;
        }
        return h; // not converged to full precision after MaxIterations: the best value reached
    }

    /// <summary>The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), for a &gt; 0, x ≥ 0.</summary>
    public static double RegularizedGammaQ(double a, double x)
    {
        if (!(a > 0)) throw new ArgumentOutOfRangeException(nameof(a), a, "a must be positive");
        if (double.IsNaN(x)) return double.NaN;
        if (x <= 0) return 1;
        if (double.IsPositiveInfinity(x)) return 0;
        double logFront = -x + a * Math.Log(x) - LogGamma(a);
        if (x < a + 1)
        {
            // Series for P(a, x), then Q = 1 − P.
            double ap = a, sum = 1 / a, del = sum;
            for (int n = 1; n <= MaxIterations; n++)
            {
                ap += 1;
                del *= x / ap;
                sum += del;
                if (Math.Abs(del) < Math.Abs(sum) * Epsilon) break;
            }
            return 1 - sum * Math.Exp(logFront);
        }
        // Continued fraction for Q(a, x), modified Lentz.
        double b = x + 1 - a, c = 1 / Tiny, d = 1 / b, h = d;
        for (int i = 1; i <= MaxIterations; i++)
        {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.Abs(d) < Tiny) d = Tiny;
            c = b + an / c;
            if (Math.Abs(c) < Tiny) c = Tiny;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < Epsilon) break;
        }
        return Math.Exp(logFront) * h;
    }

    /// <summary>
    /// The two-sided tail P(|T| ≥ |t|) of Student's t distribution with <paramref name="df"/> degrees of freedom:
    /// I_{df/(df+t²)}(df/2, 1/2). Infinite |t| gives 0; NaN gives NaN.
    /// </summary>
    public static double StudentTTwoSided(double t, double df)
    {
        if (double.IsNaN(t) || double.IsNaN(df)) return double.NaN;
        if (!(df > 0)) throw new ArgumentOutOfRangeException(nameof(df), df, "degrees of freedom must be positive");
        if (double.IsInfinity(t)) return 0;
        double t2 = t * t;
        double x = df / (df + t2), y = t2 / (df + t2);
        return Math.Clamp(RegularizedIncompleteBeta(df / 2, 0.5, x, y), 0, 1);
    }

    /// <summary>The upper tail P(Z ≥ z) of the standard normal distribution.</summary>
    public static double NormalUpperTail(double z)
    {
        if (double.IsNaN(z)) return double.NaN;
        // P(Z ≥ z) = erfc(z/√2)/2, and erfc(u) = Q(1/2, u²) for u ≥ 0.
        double tail = 0.5 * RegularizedGammaQ(0.5, z * z / 2);
        return z >= 0 ? tail : 1 - tail;
    }

    /// <summary>The two-sided tail P(|Z| ≥ |z|) of the standard normal distribution.</summary>
    public static double NormalTwoSided(double z) => double.IsNaN(z) ? double.NaN : Math.Min(1, 2 * NormalUpperTail(Math.Abs(z)));
}
