using AdvRec.Data;
using AdvRec.Kernels;

namespace AdvRec.Tests.Models;

/// <summary>Small random explicit-rating sets (1..5 stars with user and item effects) for rating-model tests.</summary>
internal static class RatedData
{
    /// <summary>Each user rates <paramref name="perUser"/> distinct random items: round(3 + user effect + item effect + noise), clipped to 1..5.</summary>
    public static Interactions Random(int users, int items, int perUser, ulong seed)
    {
        var rng = new Xoshiro(seed);
        var userEffect = Enumerable.Range(0, users).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var itemEffect = Enumerable.Range(0, items).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var us = new List<int>();
        var its = new List<int>();
        var rs = new List<float>();
        for (int u = 0; u < users; u++)
        {
            var chosen = new HashSet<int>();
            while (chosen.Count < perUser) chosen.Add(rng.NextInt(items));
            foreach (int i in chosen)
            {
                us.Add(u);
                its.Add(i);
                rs.Add(Math.Clamp(MathF.Round(3 + userEffect[u] + itemEffect[i] + (float)(rng.NextDouble() - 0.5)), 1, 5));
            }
        }
        return Interactions.Build(users, items, us.ToArray(), its.ToArray(), rs.ToArray());
    }
}
