namespace AdvRec.Models.Factorization;

/// <summary>What a VBPR model file (<see cref="Vbpr.Save"/>) holds before its tables: the options and the shapes.</summary>
/// <param name="Options">The saved model's options (factors, factors_d and the rest).</param>
/// <param name="Users">The number of users.</param>
/// <param name="Items">The number of items.</param>
/// <param name="FeatureDimension">The length D of the item feature vectors.</param>
public sealed record VbprFileInfo(VbprOptions Options, int Users, int Items, int FeatureDimension);
