using AdvRec.Data;
using AdvRec.Kernels;

namespace AdvRec.Tests.Models;

/// <summary>Small random interaction sets for model tests.</summary>
internal static class TinyData
{
    /// <summary>Each user gets <paramref name="perUser"/> distinct random items.</summary>
    public static Interactions Random(int users, int items, int perUser, ulong seed)
    {
        var rng = new Xoshiro(seed);
        var us = new List<int>();
        var its = new List<int>();
        for (int u = 0; u < users; u++)
        {
            var chosen = new HashSet<int>();
            while (chosen.Count < perUser) chosen.Add(rng.NextInt(items));
            foreach (int i in chosen) { us.Add(u); its.Add(i); }
        }
        return Interactions.Build(users, items, us.ToArray(), its.ToArray());
    }
}
