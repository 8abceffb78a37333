namespace AdvRec.Models;

/// <summary>What one training epoch did.</summary>
/// <param name="Epoch">0-based epoch index.</param>
/// <param name="Loss">Summed plain training loss over the epoch (at the parameters each batch saw).</param>
/// <param name="AdversarialLoss">Summed loss at θ + Δ (0 for a plain epoch).</param>
/// <param name="Steps">Loss terms (triples, rows) processed.</param>
/// <param name="Seconds">Wall-clock time of the epoch.</param>
public readonly record struct EpochStats(int Epoch, double Loss, double AdversarialLoss, long Steps, double Seconds);
