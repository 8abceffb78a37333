using AdvRec.Evaluation.Statistics;

namespace AdvRec.Tests.Evaluation.Statistics;

public class PairedTTestTests
{
    [Fact]
    public void Student_sleep_data_gives_the_published_result()
    {
        // Cushny & Peebles' sleep data (Student, 1908; R's `sleep`): extra hours of sleep of 10 patients on two drugs.
        // R: t.test(extra ~ group, data = sleep, paired = TRUE) → t = −4.0621, df = 9, p-value = 0.002833,
        // mean difference −1.58.
        double[] drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
        double[] drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
        var r = PairedTTest.Test(drug1, drug2);
        Assert.Equal(10, r.N);
        Assert.Equal(9, r.DegreesOfFreedom);
        Assert.Equal(-1.58, r.MeanDifference, 1e-12);
        Assert.Equal(-4.0621, r.Statistic, 1e-4);
        Assert.Equal(0.002833, r.PValue, 1e-6);

        var swapped = PairedTTest.Test(drug2, drug1);
        Assert.Equal(-r.Statistic, swapped.Statistic, 1e-12);
        Assert.Equal(r.PValue, swapped.PValue, 1e-15);
    }

    [Fact]
    public void Three_pairs_by_hand()
    {
        // d = [1, 2, 6]: mean 3, deviations (−2, −1, 3), Σ² = 14, s² = 7, se = √(7/3), t = 3/√(7/3) = √(27/7),
        // df = 2, and for df = 2 the two-sided p is 1 − t/√(2 + t²) = 1 − √(27/41).
        var r = PairedTTest.Test([11, 12, 16], [10, 10, 10]);
        Assert.Equal(Math.Sqrt(27.0 / 7), r.Statistic, 1e-12);
        Assert.Equal(2, r.DegreesOfFreedom);
        Assert.Equal(1 - Math.Sqrt(27.0 / 41), r.PValue, 1e-12);
        Assert.Equal(3, r.MeanDifference, 1e-12);
    }

    [Fact]
    public void Identical_samples_give_NaN_t_and_p_one()
    {
        double[] a = [0.1, 0.5, 0.25, 0.0];
        var r = PairedTTest.Test(a, a);
        Assert.True(double.IsNaN(r.Statistic));
        Assert.Equal(1.0, r.PValue);
        Assert.Equal(0.0, r.MeanDifference);
    }

    [Fact]
    public void Constant_nonzero_difference_gives_p_zero()
    {
        var r = PairedTTest.Test([1.5, 2.5, 3.5], [1, 2, 3]);
        Assert.Equal(double.PositiveInfinity, r.Statistic);
        Assert.Equal(0.0, r.PValue);
        var s = PairedTTest.Test([1, 2, 3], [1.5, 2.5, 3.5]);
        Assert.Equal(double.NegativeInfinity, s.Statistic);
        Assert.Equal(0.0, s.PValue);
    }

    [Fact]
    public void Fewer_than_two_pairs_give_NaN()
    {
        var one = PairedTTest.Test([1.0], [0.0]);
        Assert.True(double.IsNaN(one.Statistic));
        Assert.True(double.IsNaN(one.PValue));
        Assert.Equal(1, one.N);
        Assert.True(double.IsNaN(PairedTTest.Test([], []).PValue));
    }

    [Fact]
    public void Unequal_lengths_and_non_finite_values_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => PairedTTest.Test([1.0, 2.0], [1.0]));
        Assert.Throws<ArgumentException>(() => PairedTTest.Test([1.0, double.NaN], [1.0, 2.0]));
    }
}
