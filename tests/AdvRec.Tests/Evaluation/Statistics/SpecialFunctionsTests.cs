using AdvRec.Evaluation.Statistics;

namespace AdvRec.Tests.Evaluation.Statistics;

public class SpecialFunctionsTests
{
    [Theory]
    [InlineData(1.0, 0.0)] // Γ(1) = 1
    [InlineData(0.5, 0.57236494292470008)] // ln √π
    [InlineData(5.0, 3.1780538303479458)] // ln 24
    [InlineData(10.5, 13.940625219403763)] // ln Γ(10.5) = ln(9.5·8.5·…·0.5·√π)
    public void LogGamma_matches_known_values(double x, double expected) =>
        Assert.Equal(expected, SpecialFunctions.LogGamma(x), 1e-12);

    [Fact]
    public void LogGamma_of_integers_is_log_factorial()
    {
        double logFactorial = 0;
        for (int n = 1; n <= 100; n++)
        {
            Assert.Equal(logFactorial, SpecialFunctions.LogGamma(n), 1e-10 * Math.Max(1, logFactorial));
            logFactorial += Math.Log(n);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.37)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(1.0)]
    public void IncompleteBeta_closed_forms(double x)
    {
        // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 − (1 − x)^b; I_x(2, 2) = 3x² − 2x³.
        Assert.Equal(x, SpecialFunctions.RegularizedIncompleteBeta(1, 1, x), 1e-14);
        Assert.Equal(Math.Pow(x, 3.5), SpecialFunctions.RegularizedIncompleteBeta(3.5, 1, x), 1e-13);
        Assert.Equal(1 - Math.Pow(1 - x, 7), SpecialFunctions.RegularizedIncompleteBeta(1, 7, x), 1e-13);
        Assert.Equal(3 * x * x - 2 * x * x * x, SpecialFunctions.RegularizedIncompleteBeta(2, 2, x), 1e-13);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(3)]
    [InlineData(40)]
    [InlineData(5000)]
    public void IncompleteBeta_is_one_half_at_the_centre_of_a_symmetric_beta(double a) =>
        // The prefactor exp(ln Γ(2a) − 2 ln Γ(a) + …) loses about |ln Γ(2a)| · 1e-16 to cancellation: ~1e-11 at a = 5000.
        Assert.Equal(0.5, SpecialFunctions.RegularizedIncompleteBeta(a, a, 0.5), 1e-10);

    [Theory]
    // df = 1 is the Cauchy distribution: P(|T| ≥ t) = 1 − (2/π)·atan(t).
    [InlineData(1.0, 1.0)]
    [InlineData(12.706, 1.0)]
    [InlineData(0.3, 1.0)]
    // df = 2: P(|T| ≥ t) = 1 − t / √(2 + t²).
    [InlineData(1.0, 2.0)]
    [InlineData(4.303, 2.0)]
    [InlineData(0.05, 2.0)]
    public void StudentT_matches_closed_forms_for_one_and_two_degrees_of_freedom(double t, double df)
    {
        double expected = df == 1 ? 1 - 2 / Math.PI * Math.Atan(t) : 1 - t / Math.Sqrt(2 + t * t);
        Assert.Equal(expected, SpecialFunctions.StudentTTwoSided(t, df), 1e-13);
        Assert.Equal(expected, SpecialFunctions.StudentTTwoSided(-t, df), 1e-13);
    }

    [Theory]
    // Critical values from a t table (two-sided α): t(0.975; 10) = 2.228, t(0.995; 10) = 3.169,
    // t(0.975; 30) = 2.042, t(0.975; 4) = 2.776, t(0.95; 20) = 1.725.
    [InlineData(2.228, 10, 0.05)]
    [InlineData(3.169, 10, 0.01)]
    [InlineData(2.042, 30, 0.05)]
    [InlineData(2.776, 4, 0.05)]
    [InlineData(1.725, 20, 0.10)]
    // For large df the t distribution is the normal one: 1.96 → 0.05, 2.576 → 0.01.
    [InlineData(1.96, 1e6, 0.05)]
    [InlineData(2.576, 1e7, 0.01)]
    public void StudentT_matches_table_values(double t, double df, double expected) =>
        Assert.Equal(expected, SpecialFunctions.StudentTTwoSided(t, df), 5e-4);

    [Fact]
    public void StudentT_edges()
    {
        Assert.Equal(1.0, SpecialFunctions.StudentTTwoSided(0, 7), 1e-15);
        Assert.Equal(0.0, SpecialFunctions.StudentTTwoSided(double.PositiveInfinity, 7));
        Assert.True(double.IsNaN(SpecialFunctions.StudentTTwoSided(double.NaN, 7)));
        double tiny = SpecialFunctions.StudentTTwoSided(50, 100);
        Assert.InRange(tiny, 1e-80, 1e-60); // far tail, still positive and finite
    }

    [Fact]
    public void Normal_tails_match_known_values()
    {
        // Φ(1) = 0.8413447460685429; the two-sided 5 % and 1 % points are 1.959963984540054 and 2.5758293035489004.
        Assert.Equal(1 - 0.8413447460685429, SpecialFunctions.NormalUpperTail(1), 1e-14);
        Assert.Equal(0.8413447460685429, SpecialFunctions.NormalUpperTail(-1), 1e-14);
        Assert.Equal(0.05, SpecialFunctions.NormalTwoSided(1.959963984540054), 1e-13);
        Assert.Equal(0.01, SpecialFunctions.NormalTwoSided(-2.5758293035489004), 1e-13);
        Assert.Equal(1.0, SpecialFunctions.NormalTwoSided(0), 1e-15);
        // Φ(−5) = 2.866515718791939e-7
        Assert.Equal(2.866515718791939e-7, SpecialFunctions.NormalUpperTail(5), 1e-20);
    }
}
